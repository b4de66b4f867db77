import os,json,time,re,string,unicodedata as U,torch
from transformers import MPNetConfig as C,MPNetModel as M
from sentence_transformers import SentenceTransformer as S
O=os.environ['OUT'];D='/tmp/t';J=json.dump
T=["dog","traffic light","man holding umbrella","two zebras","1950s car","café","naïve","snow-covered slope","","Hello, World!","don't stop","e.g. U.S.A.","猫 on mat","🙂 dog","tab\tand\nnewline","  spaces   around ","a red bus on the wet street near tall buildings, "*14]
W=set()
for t in T:
 for w in re.findall("[a-z0-9]+",''.join(c for c in U.normalize('NFD',t.lower()) if U.category(c)!='Mn')):W.add(w[:-1] if w[-1]=='s' and len(w)>3 else w)
V=['<s>','<pad>','</s>','<unk>','[UNK]']+sorted(W)+list(string.punctuation)+['##s','##ing','<mask>']
def st(d,h):
 os.makedirs(d+'/1_Pooling',exist_ok=True);os.makedirs(d+'/2_Normalize',exist_ok=True)
 open(d+'/vocab.txt','w').write('\n'.join(V)+'\n')
 J(dict(tokenizer_class="MPNetTokenizer",do_lower_case=True,bos_token="<s>",eos_token="</s>",sep_token="</s>",cls_token="<s>",unk_token="[UNK]",pad_token="<pad>",mask_token="<mask>",model_max_length=512),open(d+'/tokenizer_config.json','w'))
 J([{"idx":i,"name":str(i),"path":p,"type":"sentence_transformers.models."+t} for i,(p,t) in enumerate([("","Transformer"),("1_Pooling","Pooling"),("2_Normalize","Normalize")])],open(d+'/modules.json','w'))
 J({"max_seq_length":384,"do_lower_case":False},open(d+'/sentence_bert_config.json','w'))
 J({"word_embedding_dimension":h,"pooling_mode_mean_tokens":True},open(d+'/1_Pooling/config.json','w'))
torch.manual_seed(0)
m=M(C(vocab_size=len(V)+3,hidden_size=64,num_hidden_layers=2,num_attention_heads=4,intermediate_size=128,layer_norm_eps=1e-5))
with torch.no_grad():
 for n,p in m.named_parameters():p.copy_(1+0.1*torch.randn_like(p) if 'LayerNorm.weight' in n else torch.randn_like(p)*(1 if 'relative' in n else 0.3))
m.save_pretrained(D);st(D,64);J(T,open(O+'/texts.json','w'))
s=S(D,device='cpu')
r={'ids':s.tokenizer(T,truncation=True,max_length=384)['input_ids'],'cpu':s.encode(T,batch_size=4).tolist()}
s.to('cuda');r['cuda']=s.encode(T,batch_size=4).tolist()
J(r,open(O+'/hf.json','w'));os.system(f'cp {D}/model.safetensors {D}/config.json {D}/vocab.txt {O}')
B='/tmp/b';M(C()).save_pretrained(B);st(B,768)
P=[t for t in T[:10] if t]*103
for dev in ['cuda','cpu']:
 b=S(B,device=dev)
 for k in [4,32]:
  b.encode(P[:64],batch_size=k);torch.cuda.synchronize();t=time.time();b.encode(P,batch_size=k);torch.cuda.synchronize();t=time.time()-t
  print(f'ST base {dev} batch {k}: {len(P)} phrases {t:.3f}s = {len(P)/t:.0f}/s',flush=True)

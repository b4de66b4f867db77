// PTBLexer 3.4.1 (edu/stanford/nlp/process/PTBLexer.flex), re-expressed rule by rule.
//
// JFlex semantics reproduced here:
//  * at each position every rule is tried; the longest match wins (trailing context counts
//    towards the length), ties go to the rule written first;
//  * a trailing-context rule `r1/r2` returns the LONGEST r1 whose remainder matches r2
//    (JFlex 1.5.1's general-lookahead algorithm, which generated the shipped PTBLexer.java);
//  * %caseless: literal strings match either case, character classes do not ([A]bout only
//    matches a capital A, [A-Z]+ in THINGA only capitals);
//  * the text is UTF-16, so a non-BMP character is two surrogate units that most rules
//    reject; the catch-all rule deletes them one by one.
// Macro names follow the .flex file so the two can be read side by side.
#include "caption/ptb_lexer.hpp"

#include <unicode/uchar.h>

#include <algorithm>

#include "caption/ptb_pattern.hpp"

namespace pgc::ptb {
namespace {

// ---------------------------------------------------------------- character classes

// A class body in JFlex notation: "a-z" ranges, everything else literal ('-' first or last
// is literal).
CharSet cls(const std::u16string& spec) {
  CharSet cs;
  for (size_t i = 0; i < spec.size();) {
    if (i + 2 < spec.size() && spec[i + 1] == u'-') {
      cs |= range(spec[i], spec[i + 2]);
      i += 3;
    } else {
      cs.set(spec[i]);
      ++i;
    }
  }
  return cs;
}

// JFlex 1.5.1 compiled the shipped scanner's [:letter:], [:digit:] and [:uppercase:] from
// Unicode 6.1 tables; ICU has a newer Unicode. Characters assigned after 6.1 (U+037F, U+0560,
// ...) are nothing to the scanner, and a few changed category since 6.1 (see below).
bool known_to_jflex(UChar32 c) {
  UVersionInfo age;
  u_charAge(c, age);
  return age[0] < 6 || (age[0] == 6 && age[1] <= 1);
}

CharSet unicode_class(bool (*pred)(UChar32)) {
  CharSet cs;
  for (UChar32 c = 0; c < 0x10000; ++c)
    if (known_to_jflex(c) && pred(c)) cs.set(c);
  return cs;
}
bool is_digit(UChar32 c) { return u_isdigit(c); }  // [:digit:] = Nd

// [:letter:] = general category L in Unicode 6.1: Mongolian U+1885-1886 were letters then
// (marks since 9.0); New Tai Lue vowel signs U+19B0-19C0, 19C8-19C9 and Vedic U+1CF2-1CF3
// were spacing marks (letters since 8.0 / 10.0).
CharSet letter_class() {
  CharSet cs = unicode_class([](UChar32 c) -> bool { return u_isalpha(c); });
  cs.set(0x1885);
  cs.set(0x1886);
  cs &= ~(range(0x19B0, 0x19C0) | range(0x19C8, 0x19C9) | range(0x1CF2, 0x1CF3));
  return cs;
}

// [:uppercase:] = Lu + Other_Uppercase in Unicode 6.1: Cherokee U+13A0-13F4 became
// uppercase letters only in 8.0.
CharSet upper_class() {
  return unicode_class([](UChar32 c) -> bool { return u_isUUppercase(c); }) & ~range(0x13A0, 0x13F4);
}

Pat c(const std::u16string& spec) { return set(cls(spec)); }
Pat l(const std::u16string& s) { return lit(s); }

// ---------------------------------------------------------------- actions

enum class Act {
  Plain,            // token = yytext
  Pushback3,        // cannot, 'twas: token = yytext minus 3 chars, rest re-read
  Pushback2,        // 'tis, gonna...: minus 2
  Sgml,             // spaces -> U+00A0
  MDash,            // "--"
  Amp,              // &amp; -> &
  SoftHyphens,      // remove U+00AD
  Quote,            // handleQuotes(probablyLeft = false)
  QuoteLeft,        // handleQuotes(probablyLeft = true)
  Frac,             // spaces -> U+00A0
  Frac2,            // vulgar fractions -> 1/2 etc.
  Currency,         // cent/pound/euro normalization
  Acronym,          // sentence-final acronym special case
  TrimTrailingSpace,// ABBREV3 work-around for a JFlex lookahead bug
  AbbrevSentEnd,    // token WITH the period, and the period again as the next token
  Phone,            // spaces -> U+00A0, parens -> -LRB- -RRB-
  Less,             // "<"
  Greater,          // ">"
  Smiley,           // parens -> -LRB- -RRB-
  LBrace, RBrace, LBrack, RBrack, LParen, RParen,
  Hyphens,          // 3-4 hyphens -> "--"
  Ellipsis,         // "..."
  Skip,             // whitespace and the like: no token
  Newline,          // *NL*
  Untokenizable,    // deleted
};

struct Rule {
  Pat main;
  Pat trail;  // trailing context, or null
  Act act;
  CharSet first;
};

struct Grammar {
  std::vector<Rule> rules;
  Grammar();
};

Grammar::Grammar() {
  const CharSet letter_cs = letter_class();
  const CharSet digit_cs = unicode_class(is_digit) | range(0x07C0, 0x07C9);
  const CharSet upper_cs = upper_class();

  const Pat SGML_NAME = seq({c(u"A-Za-z"), star(c(u"A-Za-z0-9_:.-"))});
  const Pat SP = c(u" ");
  const Pat SGML = memo(seq({
      l(u"<"),
      alt({
          seq({c(u"!?"), c(u"A-Za-z-"), star(set(negate(cls(u">\r\n"))))}),
          seq({SGML_NAME,
               star(seq({plus(SP),
                         alt({SGML_NAME,
                              seq({SGML_NAME, star(SP), l(u"="), star(SP),
                                   alt({seq({l(u"'"), star(set(negate(cls(u"'")))), l(u"'")}),
                                        seq({l(u"\""), star(set(negate(cls(u"\"")))), l(u"\"")})})})})})),
               star(SP), opt(l(u"/"))}),
          seq({l(u"/"), SGML_NAME}),
      }),
      star(SP), l(u">")}));
  const Pat SPMDASH = alt({seq({l(u"&"), alt_lits({u"MD", u"mdash", u"ndash"}), l(u";")}),
                           c(u"\u0096\u0097\u2013\u2014\u2015")});
  const Pat SPAMP = l(u"&amp;");
  const Pat SPPUNC = seq({l(u"&"),
                          alt({alt_lits({u"HT", u"TL", u"UR", u"LR", u"QC", u"QL", u"QR", u"odq", u"cdq"}),
                               seq({l(u"#"), plus(c(u"0-9"))})}),
                          l(u";")});
  const Pat SPLET = seq({l(u"&"), c(u"aeiouAEIOU"), alt_lits({u"acute", u"grave", u"uml"}), l(u";")});
  const CharSet space_cs = cls(u" \t\u00A0\u2000-\u200A\u3000");
  const Pat SPACE = set(space_cs);
  const Pat SPACES = plus(SPACE);
  const Pat NEWLINE = alt({l(u"\r"), seq({opt(l(u"\r")), l(u"\n")}), c(u"\u2028\u2029\u000B\u000C\u0085")});
  const Pat SPACENL = alt({SPACE, NEWLINE});
  const Pat SPACENLS = plus(SPACENL);
  const Pat SENTEND = seq({SPACENL, alt({SPACENL, set(upper_cs), SGML})});
  const Pat DIGIT = set(digit_cs);
  const Pat DATE = memo(seq({rep(DIGIT, 1, 2), c(u"/-"), rep(DIGIT, 1, 2), c(u"/-"), rep(DIGIT, 2, 4)}));
  const Pat NUM = alt({plus(DIGIT), seq({star(DIGIT), plus(seq({c(u".:,\u00AD\u066B\u066C"), plus(DIGIT)}))})});
  const Pat NUMBER = memo(seq({opt(c(u"+-")), NUM}));
  const Pat SUBSUPNUM = seq({opt(c(u"\u207A\u207B\u208A\u208B")),
                            alt({plus(c(u"\u2070\u00B9\u00B2\u00B3\u2074-\u2079")), plus(c(u"\u2080-\u2089"))})});
  const Pat FRAC = memo(seq({opt(seq({rep(DIGIT, 1, 4), c(u"- \u00A0")})), rep(DIGIT, 1, 4),
                        alt({seq({opt(l(u"\\")), l(u"/")}), l(u"\u2044")}), rep(DIGIT, 1, 4)}));
  const Pat FRAC2 = c(u"\u00BC\u00BD\u00BE\u2153-\u215E");
  const Pat DOLSIGN = alt({seq({star(c(u"A-Z")), l(u"$")}), l(u"#")});
  const Pat DOLSIGN2 = c(u"\u00A2\u00A3\u00A4\u00A5\u0080\u20A0\u20AC\u060B\u0E3F\u20A4\uFFE0\uFFE1\uFFE5\uFFE6");
  const CharSet letter_extra = cls(
      u"\u00AD\u0237-\u024F\u02C2-\u02C5\u02D2-\u02DF\u02E5-\u02FF\u0300-\u036F\u0370-\u037D\u0384"
      u"\u0385\u03CF\u03F6\u03FC-\u03FF\u0483-\u0487\u04CF\u04F6-\u04FF\u0510-\u0525\u055A-\u055F"
      u"\u0591-\u05BD\u05BF\u05C1\u05C2\u05C4\u05C5\u05C7\u0615-\u061A\u063B-\u063F\u064B-\u065E"
      u"\u0670\u06D6-\u06EF\u06FA-\u06FF\u070F\u0711\u0730-\u074F\u0750-\u077F\u07A6-\u07B1"
      u"\u07CA-\u07F5\u07FA\u0900-\u0903\u093C\u093E-\u094E\u0951-\u0955\u0962-\u0963\u0981-\u0983"
      u"\u09BC-\u09C4\u09C7\u09C8\u09CB-\u09CD\u09D7\u09E2\u09E3\u0A01-\u0A03\u0A3C\u0A3E-\u0A4F"
      u"\u0A81-\u0A83\u0ABC-\u0ACF\u0B82\u0BBE-\u0BC2\u0BC6-\u0BC8\u0BCA-\u0BCD\u0C01-\u0C03"
      u"\u0C3E-\u0C56\u0D3E-\u0D44\u0D46-\u0D48\u0E30-\u0E3A\u0E47-\u0E4E\u0EB1-\u0EBC\u0EC8-\u0ECD");
  const Pat LETTER = alt({set(letter_cs | letter_extra), SPLET});
  const Pat LETTER_OR_DIGIT = alt({set(letter_cs | letter_extra | digit_cs), SPLET});
  const Pat WORD = memo(seq({LETTER, star(LETTER_OR_DIGIT), star(seq({c(u".!?"), LETTER, star(LETTER_OR_DIGIT)}))}));
  const Pat FILENAME_EXT = alt_lits({u"bat", u"bmp", u"c", u"class", u"cgi", u"cpp", u"dll", u"doc", u"docx",
                                     u"exe", u"gif", u"gz", u"h", u"htm", u"html", u"jar", u"java", u"jpeg",
                                     u"jpg", u"mov", u"mp3", u"pdf", u"php", u"pl", u"png", u"ppt", u"ps",
                                     u"py", u"sql", u"tar", u"txt", u"wav", u"x", u"xml", u"zip"});
  const Pat FILENAME = memo(seq({plus(LETTER_OR_DIGIT), star(seq({l(u"."), plus(LETTER_OR_DIGIT)})), l(u"."), FILENAME_EXT}));
  const Pat APOS = alt({c(u"'\u0092\u2019"), l(u"&apos;")});
  const Pat APOSETCETERA = alt({APOS, c(u"`\u0091\u2018\u201B")});
  const Pat HYPHEN = c(u"_\u058A\u2010\u2011-");
  const Pat LD = set(letter_cs | digit_cs);  // [:letter:]|[:digit:] (without LETTER's extras)
  const Pat THING_PART = seq({opt(seq({c(u"dDoOlL"), APOSETCETERA, LD})), plus(LD)});
  const Pat THING = memo(seq({THING_PART, star(seq({HYPHEN, THING_PART}))}));
  const Pat THINGA = memo(seq({plus(c(u"A-Z")), plus(seq({alt({c(u"+&"), SPAMP}), plus(c(u"A-Z"))}))}));
  const Pat THING3_PART = seq({plus(c(u"A-Za-z0-9")), rep(seq({l(u"-"), plus(c(u"A-Za-z"))}), 0, 2)});
  const Pat THING3 = memo(seq({THING3_PART, rep(seq({opt(l(u"\\")), l(u"/"), THING3_PART}), 1, 2)}));
  const Pat ACRO_SPECIAL = alt({seq({alt_lits({u"Canada", u"Sino", u"Korean", u"EU", u"Japan", u"non"}), l(u"-U.S")}),
                                seq({l(u"U.S.-"), alt_lits({u"U.K", u"U.S.S.R"})})});
  const Pat ACRO = memo(alt({seq({c(u"A-Za-z"), star(seq({l(u"."), c(u"A-Za-z")}))}), ACRO_SPECIAL}));
  const Pat ACRO2 = alt({seq({c(u"A-Za-z"), plus(seq({l(u"."), c(u"A-Za-z")}))}), ACRO_SPECIAL});
  const Pat HTHING = memo(seq({c(u"A-Za-z0-9"), star(c(u"A-Za-z0-9.,\u00AD")),
                         plus(seq({l(u"-"), alt({plus(c(u"A-Za-z0-9\u00AD")), seq({ACRO2, l(u".")})})}))}));
  const Pat REDAUX = memo(seq({APOS, alt({c(u"msdMSD"), alt_lits({u"re", u"ve", u"ll"})})}));
  const Pat SWORD = seq({star(c(u"A-Za-z\u00AD")), c(u"A-MO-Za-mo-z"), star(l(u"\u00AD"))});
  const Pat SREDAUX = memo(seq({l(u"n"), APOSETCETERA, l(u"t")}));
  const Pat LETTER_J = set(letter_cs);  // [:letter:]
  const Pat APOWORD = memo(alt({
      seq({APOS, l(u"n"), opt(APOS)}),
      seq({c(u"lLdDjJ"), APOS}),
      seq({l(u"Dunkin"), APOS}),
      seq({l(u"somethin"), APOS}),
      seq({l(u"ol"), APOS}),
      seq({APOS, l(u"em")}),
      seq({c(u"A-HJ-XZn"), APOSETCETERA, rep(LETTER_J, 2, 2), star(LETTER_J)}),
      seq({APOS, c(u"2-9"), l(u"0s")}),
      seq({APOS, l(u"til"), opt(l(u"l"))}),
      seq({LETTER_J, star(LETTER_J), c(u"aeiouyAEIOUY"), APOSETCETERA, c(u"aeiouA-Z"), star(LETTER_J)}),
      seq({APOS, l(u"cause")}),
      seq({l(u"cont'd"), opt(l(u"."))}),
      alt_lits({u"'twas", u"nor'easter", u"c'mon", u"e'er", u"s'mores", u"ev'ry", u"li'l", u"nat'l"}),
      seq({l(u"O"), APOSETCETERA, l(u"o")}),
  }));
  const Pat APOWORD2 = seq({l(u"y"), APOS});
  const Pat FULLURL = seq({l(u"http"), opt(l(u"s")), l(u"://"), plus(set(negate(cls(u" \t\n\f\r\"<>|(){}")))),
                          set(negate(cls(u" \t\n\f\r\"<>|.!?(){},-")))});
  // `,-_` inside this class is a range (U+002C..U+005F) in the original: it excludes digits,
  // capitals, '-', '.', '/', '@' and more from the name before .com/.net/.org/.edu.
  const CharSet likely_host = negate(cls(u" \t\n\f\r\"`'<>|.!?(){}$") | range(u',', u'_'));
  const Pat LIKELYURL = memo(seq({
      alt({seq({l(u"www."), plus(seq({plus(set(negate(cls(u" \t\n\f\r\"<>|.!?(){},")))), l(u".")})),
                rep(c(u"a-zA-Z"), 2, 4)}),
           seq({plus(seq({plus(set(likely_host)), l(u".")})), alt_lits({u"com", u"net", u"org", u"edu"})})}),
      opt(seq({l(u"/"), plus(set(negate(cls(u" \t\n\f\r\"<>|()")))),
               set(negate(cls(u" \t\n\f\r\"<>|.!?(){},-")))}))}));
  const CharSet email_host = negate(cls(u" \t\n\f\r\"<>|(){}.\u00A0"));
  const Pat EMAIL = memo(seq({opt(alt_lits({u"&lt;", u"<"})), c(u"a-zA-Z0-9"),
                        star(set(negate(cls(u" \t\n\f\r\"<>|()\u00A0{}")))), l(u"@"),
                        star(seq({plus(set(email_host)), l(u".")})), plus(set(email_host)),
                        opt(alt_lits({u"&gt;", u">"}))}));
  const Pat TWITTER = alt({seq({l(u"@"), c(u"a-zA-Z_"), star(c(u"a-zA-Z_0-9"))}), seq({l(u"#"), plus(LETTER)})});

  // Abbreviations. [X] marks a capital the original makes case-sensitive.
  const Pat ABMONTH = alt_lits({u"Jan", u"Feb", u"Mar", u"Apr", u"Jun", u"Jul", u"Aug", u"Sep", u"Sept", u"Oct",
                                u"Nov", u"Dec"});
  const Pat ABDAYS = alt_lits({u"Mon", u"Tue", u"Tues", u"Wed", u"Thu", u"Thurs", u"Fri"});
  const Pat ABSTATE = alt({
      alt_lits({u"Ala", u"Ariz"}), seq({c(u"A"), l(u"z")}), seq({c(u"A"), l(u"rk")}),
      alt_lits({u"Calif", u"Colo", u"Conn", u"Ct", u"Dak"}), seq({c(u"D"), l(u"el")}),
      alt_lits({u"Fla", u"Ga"}), seq({c(u"I"), l(u"ll")}), alt_lits({u"Ind", u"Kan", u"Kans", u"Ky"}),
      seq({c(u"L"), l(u"a")}), seq({c(u"M"), l(u"ass")}), alt_lits({u"Md", u"Mich", u"Minn"}),
      seq({c(u"M"), l(u"iss")}), alt_lits({u"Mo", u"Mont", u"Neb", u"Nev", u"Okla"}), seq({c(u"O"), l(u"re")}),
      seq({c(u"P"), l(u"a")}), alt_lits({u"Penn", u"Tenn"}), seq({c(u"T"), l(u"ex")}), alt_lits({u"Va", u"Vt"}),
      seq({c(u"W"), l(u"ash")}), alt_lits({u"Wis", u"Wisc", u"Wyo"})});
  const Pat ABCOMP = alt({alt_lits({u"Inc", u"Co", u"Cos", u"Corp"}),
                          seq({l(u"P"), opt(l(u"p")), l(u"t"), c(u"ye"), opt(l(u"s"))}),
                          alt_lits({u"Ltd", u"Plc", u"Rt", u"Bancorp", u"Bhd", u"Assn", u"Univ", u"Intl", u"Sys"})});
  const Pat ABNUM = alt_lits({u"tel", u"est", u"ext", u"sq"});
  const Pat ABPTIT = alt_lits({u"Jr", u"Sr", u"Bros", u"Ed.D", u"Ph.D", u"Blvd", u"Rd", u"Esq"});
  const Pat ABBREV1 = memo(seq({alt({ABMONTH, ABDAYS, ABSTATE, ABCOMP, ABNUM, ABPTIT, alt_lits({u"etc", u"al", u"seq", u"Bldg"})}),
                          l(u".")}));
  const Pat ABTITLE = alt({
      alt_lits({u"Mr", u"Mrs", u"Ms"}), seq({c(u"M"), l(u"iss")}),
      alt_lits({u"Dr", u"Drs", u"Prof", u"Profs", u"Sen", u"Sens", u"Rep", u"Reps", u"Atty", u"Attys", u"Lt",
                u"Col", u"Gen", u"Messrs", u"Gov", u"Govs", u"Adm", u"Rev", u"Maj", u"Sgt", u"Cpl", u"Pvt",
                u"Capt", u"St", u"Ste", u"Ave", u"Pres", u"Lieut", u"Hon", u"Brig", u"Cmdr", u"Comdr", u"Pfc",
                u"Spc", u"Supt", u"Supts", u"Det", u"Mt", u"Ft", u"Adj", u"Adv", u"Asst", u"Assoc", u"Ens",
                u"Insp", u"Mlle", u"Mme", u"Msgr", u"Sfc"})});
  const Pat ABCOMP2 = alt({alt_lits({u"Invt", u"Elec", u"Natl"}), seq({l(u"M"), c(u"ft"), l(u"g")}), l(u"Dept")});
  const Pat ABBREV4 = memo(alt({ABTITLE, alt_lits({u"vs", u"Alex", u"Wm", u"Jos", u"Cie", u"a.k.a", u"cf", u"TREAS", u"Ph"}),
                           ACRO, ABCOMP2}));
  const Pat ABBREV2 = seq({ABBREV4, l(u".")});
  const Pat ACRONYM = seq({ACRO, l(u".")});
  const Pat ABBREV3 = seq({alt_lits({u"ca", u"fig", u"figs", u"prop", u"no", u"nos", u"art", u"bldg", u"pp", u"op"}),
                          l(u".")});
  const Pat D09 = c(u"0-9");
  const Pat SEP = c(u" \u00A0-");
  const Pat PHONE = memo(alt({
      seq({alt({seq({l(u"("), rep(D09, 2, 3), l(u")"), opt(c(u" \u00A0"))}),
                seq({opt(seq({l(u"+"), opt(l(u"+"))})), opt(seq({rep(D09, 2, 4), SEP})), rep(D09, 2, 4), SEP})}),
           rep(D09, 3, 4), opt(SEP), rep(D09, 3, 5)}),
      seq({opt(seq({opt(seq({l(u"+"), opt(l(u"+"))})), rep(D09, 2, 4), l(u".")})), rep(D09, 2, 4), l(u"."),
           rep(D09, 3, 4), l(u"."), rep(D09, 3, 5)})}));
  const Pat FAKEDUCKFEET = alt_lits({u"<<", u">>"});
  const Pat LESSTHAN = alt_lits({u"<", u"&lt;"});
  const Pat GREATERTHAN = alt_lits({u">", u"&gt;"});
  const Pat HYPHENS = plus(l(u"-"));
  const Pat LDOTS = alt({rep(l(u"."), 3, 5), seq({rep(seq({l(u"."), c(u" \u00A0")}), 2, 4), l(u".")}),
                         c(u"\u0085\u2026")});
  const Pat FNMARKS = alt({plus(l(u"@")), plus(l(u"#")), plus(l(u"_"))});
  const Pat ASTS = alt({plus(l(u"*")), rep(l(u"\\*"), 1, 3)});
  const Pat INSENTP = c(u",;:\u3001");
  const Pat QUOTES = alt({APOS, l(u"''"),
                          rep(c(u"`\u2018\u2019\u201A\u201B\u201C\u201D\u0091\u0092\u0093\u0094\u201E\u201F"
                                u"\u2039\u203A\u00AB\u00BB"), 1, 2)});
  const Pat DBLQUOT = memo(alt_lits({u"\"", u"&quot;"}));
  const Pat TBSPEC = alt({seq({l(u"-"), alt_lits({u"RRB", u"LRB", u"RCB", u"LCB", u"RSB", u"LSB"}), l(u"-")}),
                          alt_lits({u"C.D.s", u"pro-", u"anti-"}),
                          seq({l(u"S"), alt_lits({u"&", u"&amp;"}), l(u"P-500")}),
                          seq({l(u"S"), alt_lits({u"&", u"&amp;"}), l(u"Ls")}),
                          seq({l(u"Cap"), APOS, l(u"n")}), seq({l(u"c"), APOS, l(u"est")})});
  const Pat TBSPEC2 = seq({APOS, D09, D09});
  const Pat SMILEY = seq({opt(c(u"<>")), c(u":;="), opt(c(u"-o*'")), c(u"()DPdpO\\{@|[]")});
  // The first alternative really is a class followed by the literal ".[^x=~<>]" (the `\[`
  // in the original escapes the bracket).
  const Pat ASIANSMILEY = alt({
      seq({c(u"^x=~<>"), l(u".[^x=~<>]")}),
      seq({c(u"^x=~<>'-"), l(u"_"), c(u"^x=~<>'-")}),
      seq({l(u"("), c(u"^x=~<>'-"), opt(c(u"_.")), c(u"^x=~<>'-"), l(u")")}),
      seq({l(u"("), c(u"^x=~<>'"), l(u"-"), c(u"^x=~<>'`"), l(u")")})});
  const Pat MISCSYMBOL = c(
      u"+%&~^|\\\u00A6\u00A7\u00A8\u00A9\u00AC\u00AE\u00AF\u00B0-\u00B3\u00B4-\u00BA\u00D7\u00F7\u0387\u05BE"
      u"\u05C0\u05C3\u05C6\u05F3\u05F4\u0600-\u0603\u0606-\u060A\u060C\u0614\u061B\u061E\u066A\u066D"
      u"\u0703-\u070D\u07F6\u07F7\u07F8\u0964\u0965\u0E4F\u1FBD\u2016\u2017\u2020-\u2023\u2030-\u2038"
      u"\u203B\u203E-\u2042\u2044\u207A-\u207F\u208A-\u208E\u2100-\u214F\u2190-\u21FF\u2200-\u2BFF\u3012"
      u"\u30FB\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65");
  const Pat ACRONYM_FOLLOWER = alt({
      seq({c(u"A"), alt_lits({u"bout", u"ccording", u"dditionally", u"fter", u"n", u"", u"s", u"t"})}),
      seq({c(u"B"), l(u"ut")}), seq({c(u"E"), l(u"arlier")}),
      seq({c(u"H"), alt_lits({u"e", u"er", u"ere", u"owever"})}),
      seq({c(u"I"), alt_lits({u"f", u"n", u"t"})}), seq({c(u"L"), l(u"ast")}),
      seq({c(u"M"), alt_lits({u"any", u"ore", u"r.", u"s."})}), seq({c(u"N"), l(u"ow")}),
      seq({c(u"O"), alt_lits({u"nce", u"ne", u"ther", u"ur"})}),
      seq({c(u"S"), alt_lits({u"he", u"ince", u"o", u"ome", u"uch"})}),
      seq({c(u"T"), alt_lits({u"hat", u"he", u"heir", u"hen", u"here", u"hese", u"hey", u"his"})}),
      seq({c(u"W"), alt_lits({u"e", u"hen", u"hile", u"hat"})}), seq({c(u"Y"), alt_lits({u"et", u"ou"})}),
      SGML});
  const Pat ANY = set(negate(CharSet()));
  const Pat NOT_ASCII_LETTER = set(negate(cls(u"A-Za-z")));

  // The rules, in the order of PTBLexer.flex (the order breaks ties between equal lengths).
  auto add = [this](Pat main, Pat trail, Act act) { rules.push_back({std::move(main), std::move(trail), act, {}}); };
  add(l(u"c++"), nullptr, Act::Plain);
  add(seq({c(u"cCfF"), l(u"#")}), nullptr, Act::Plain);  // (c|f)# with caseless literals
  add(l(u"cannot"), nullptr, Act::Pushback3);
  add(l(u"'twas"), nullptr, Act::Pushback3);
  add(l(u"'tis"), nullptr, Act::Pushback2);
  add(alt_lits({u"gonna", u"gotta", u"lemme", u"gimme", u"wanna"}), nullptr, Act::Pushback2);
  add(SGML, nullptr, Act::Sgml);
  add(SPMDASH, nullptr, Act::MDash);
  add(SPAMP, nullptr, Act::Amp);
  add(SPPUNC, nullptr, Act::Plain);
  add(WORD, REDAUX, Act::SoftHyphens);
  add(SWORD, SREDAUX, Act::SoftHyphens);
  add(WORD, nullptr, Act::SoftHyphens);
  add(APOWORD, nullptr, Act::Plain);
  add(APOWORD2, LETTER_J, Act::Plain);
  add(FULLURL, nullptr, Act::Plain);
  add(LIKELYURL, nullptr, Act::Plain);
  add(EMAIL, nullptr, Act::Plain);
  add(TWITTER, nullptr, Act::Plain);
  add(REDAUX, NOT_ASCII_LETTER, Act::Quote);
  add(SREDAUX, NOT_ASCII_LETTER, Act::Quote);
  add(DATE, nullptr, Act::Plain);
  add(NUMBER, nullptr, Act::SoftHyphens);
  add(SUBSUPNUM, nullptr, Act::Plain);
  add(FRAC, nullptr, Act::Frac);  // <YyTraditionalTreebank3> (strictTreebank3 is off)
  add(FRAC2, nullptr, Act::Frac2);
  add(TBSPEC, nullptr, Act::Amp);
  add(THING3, nullptr, Act::Plain);
  add(DOLSIGN, nullptr, Act::Plain);
  add(DOLSIGN2, nullptr, Act::Currency);
  add(ACRONYM, seq({SPACENLS, ACRONYM_FOLLOWER, SPACENL}), Act::Acronym);
  add(ABBREV3, seq({opt(SPACENL), set(unicode_class(is_digit))}), Act::TrimTrailingSpace);
  add(seq({alt({seq({l(u"pt"), c(u"eyEY")}), l(u"co")}), l(u".")}), seq({SPACE, alt_lits({u"ltd", u"lim"})}),
      Act::Plain);
  add(ABBREV1, SENTEND, Act::AbbrevSentEnd);
  add(ABBREV1, seq({ANY, ANY}), Act::Plain);
  add(ABBREV1, nullptr, Act::AbbrevSentEnd);
  add(ABBREV2, nullptr, Act::Plain);
  add(ABBREV4, SPACE, Act::Plain);
  add(ACRO, SPACENL, Act::Plain);
  add(TBSPEC2, SPACENL, Act::Plain);
  add(FILENAME, alt({SPACENL, c(u".?!,")}), Act::Plain);
  add(seq({WORD, l(u".")}), INSENTP, Act::SoftHyphens);
  add(PHONE, nullptr, Act::Phone);
  add(DBLQUOT, c(u"A-Za-z0-9$"), Act::QuoteLeft);
  add(DBLQUOT, nullptr, Act::Quote);
  add(l(u"\x7f"), nullptr, Act::Skip);
  add(LESSTHAN, nullptr, Act::Less);
  add(GREATERTHAN, nullptr, Act::Greater);
  add(SMILEY, set(negate(cls(u"A-Za-z0-9"))), Act::Smiley);
  add(ASIANSMILEY, nullptr, Act::Smiley);
  add(l(u"{"), nullptr, Act::LBrace);
  add(l(u"}"), nullptr, Act::RBrace);
  add(l(u"["), nullptr, Act::LBrack);
  add(l(u"]"), nullptr, Act::RBrack);
  add(l(u"("), nullptr, Act::LParen);
  add(l(u")"), nullptr, Act::RParen);
  add(HYPHENS, nullptr, Act::Hyphens);
  add(LDOTS, nullptr, Act::Ellipsis);
  add(FNMARKS, nullptr, Act::Plain);
  add(ASTS, nullptr, Act::Plain);
  add(INSENTP, nullptr, Act::Plain);
  add(plus(c(u"?!")), nullptr, Act::Plain);
  add(c(u".\u00A1\u00BF\u037E\u0589\u061F\u06D4\u0700-\u0702\u07FA\u3002"), nullptr, Act::Plain);
  add(l(u"="), nullptr, Act::Plain);
  add(l(u"/"), nullptr, Act::Plain);
  add(seq({HTHING, l(u".")}), INSENTP, Act::SoftHyphens);
  add(HTHING, nullptr, Act::SoftHyphens);
  add(seq({THING, l(u".")}), INSENTP, Act::Plain);
  add(THING, nullptr, Act::Plain);
  add(seq({THINGA, l(u".")}), INSENTP, Act::Amp);
  add(THINGA, nullptr, Act::Amp);
  add(l(u"'"), seq({c(u"A-Za-z"), set(negate(cls(u" \t\n\r\u00A0")))}), Act::QuoteLeft);
  add(REDAUX, nullptr, Act::Quote);
  add(SREDAUX, nullptr, Act::Quote);
  add(QUOTES, nullptr, Act::Quote);
  add(FAKEDUCKFEET, nullptr, Act::Plain);
  add(MISCSYMBOL, nullptr, Act::Plain);
  add(alt({l(std::u16string(1, u'\0')), SPACES, c(u"\u200B\u200E-\u200F\uFEFF")}), nullptr, Act::Skip);
  add(NEWLINE, nullptr, Act::Newline);
  add(l(u"&nbsp;"), nullptr, Act::Skip);
  add(set(negate(cls(u"\n"))), nullptr, Act::Untokenizable);

  for (auto& r : rules) r.main->first(r.first);
}

const Grammar& grammar() {
  static const Grammar g;  // built once; C++11 guarantees thread-safe initialization
  return g;
}

// ---------------------------------------------------------------- normalizations

std::u16string replace_all(std::u16string s, const std::u16string& from, const std::u16string& to) {
  for (size_t i = s.find(from); i != std::u16string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
  return s;
}

// (?i:&amp;) -> &
std::u16string normalize_amp(const std::u16string& s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == u'&' && i + 5 <= s.size()) {
      std::u16string w = s.substr(i, 5);
      for (auto& ch : w)
        if (ch >= u'A' && ch <= u'Z') ch = char16_t(ch + 32);
      if (w == u"&amp;") {
        out += u'&';
        i += 5;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

std::u16string remove_soft_hyphens(const std::u16string& s) {
  std::u16string out;
  for (char16_t ch : s)
    if (ch != u'\u00AD') out += ch;
  return out.empty() ? u"-" : out;
}

std::u16string spaces_to_nbsp(std::u16string s) {
  std::replace(s.begin(), s.end(), u' ', u'\u00A0');
  return s;
}

std::u16string parens_to_ptb(const std::u16string& s) {
  std::u16string out;
  for (char16_t ch : s) {
    if (ch == u'(') out += u"-LRB-";
    else if (ch == u')') out += u"-RRB-";
    else out += ch;
  }
  return out;
}

// handleQuotes with the default latexQuotes option.
std::u16string latex_quotes(const std::u16string& s, bool probably_left) {
  std::u16string t = replace_all(s, u"&apos;", u"'");  // the pattern is case-sensitive
  t = replace_all(t, u"&quot;", u"\"");
  std::u16string out;
  for (char16_t ch : t) {
    switch (ch) {
      case u'\'': out += probably_left ? u"`" : u"'"; break;
      case u'"': out += probably_left ? u"``" : u"''"; break;
      case u'\u0091': case u'\u2018': case u'\u201B': case u'\u2039': out += u'`'; break;
      case u'\u0092': case u'\u2019': case u'\u203A': out += u'\''; break;
      case u'\u0093': case u'\u201C': case u'\u00AB': out += u"``"; break;
      case u'\u0094': case u'\u201D': case u'\u00BB': out += u"''"; break;
      default: out += ch;
    }
  }
  return out;
}

std::u16string normalize_currency(const std::u16string& s) {
  std::u16string out;
  for (char16_t ch : s) {
    if (ch == u'\u00A2') out += u"cents";
    else if (ch == u'\u00A3') out += u'#';
    else if (ch == u'\u0080' || ch == u'\u00A4' || ch == u'\u20A0' || ch == u'\u20AC') out += u'$';
    else out += ch;
  }
  return out;
}

std::u16string normalize_fractions(const std::u16string& s) {
  std::u16string out;
  for (char16_t ch : s) {
    switch (ch) {
      case u'\u00BC': out += u"1/4"; break;
      case u'\u00BD': out += u"1/2"; break;
      case u'\u00BE': out += u"3/4"; break;
      case u'\u2153': out += u"1/3"; break;
      case u'\u2154': out += u"2/3"; break;
      default: out += ch;
    }
  }
  return out;
}

bool is_trim_space(char16_t ch) { return ch == u' ' || ch == u'\t' || (ch >= u'\n' && ch <= u'\r') || ch == u'\u0085'; }

// ---------------------------------------------------------------- the scanner loop

struct Match {
  int rule = -1;
  int total = 0;  // matched length including trailing context
};

// Longest total length of one rule at `pos` (0 if it does not match).
int rule_length(const Rule& r, const Input& in, int pos, Scratch& sc) {
  std::vector<int>& ends = sc.take();
  r.main->match(in, pos, sc, ends);
  int best = pos;
  if (!r.trail) {
    for (int e : ends) best = std::max(best, e);
  } else {
    unique_ends(ends);
    std::vector<int>& tail = sc.take();
    for (int e : ends) {
      tail.clear();
      r.trail->match(in, e, sc, tail);
      for (int t : tail) best = std::max(best, t);
    }
    sc.give_back();
  }
  sc.give_back();
  return best - pos;
}

// yytext length of a trailing-context rule that matched `total` units: the longest r1 whose
// remainder matches r2 (JFlex 1.5.1's backwards search).
int split_trailing(const Rule& r, const Input& in, int pos, int total, Scratch& sc) {
  std::vector<int>& ends = sc.take();
  r.main->match(in, pos, sc, ends);
  unique_ends(ends);
  std::vector<int>& tail = sc.take();
  int split = pos;
  for (auto it = ends.rbegin(); it != ends.rend(); ++it) {
    tail.clear();
    r.trail->match(in, *it, sc, tail);
    if (std::find(tail.begin(), tail.end(), pos + total) != tail.end()) {
      split = *it;
      break;
    }
  }
  sc.give_back(2);
  return split - pos;
}

bool ascii_letter(char16_t c) { return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z'); }

// SPACE = [ \t\u00A0\u2000-\u200A\u3000]
bool is_space_char(char16_t c) {
  return c == u' ' || c == u'\t' || c == u'\u00A0' || (c >= u'\u2000' && c <= u'\u200A') || c == u'\u3000';
}
bool ascii_digit(char16_t c) { return c >= u'0' && c <= u'9'; }
bool blank_or_end(const Input& in, int i) {
  return i >= in.n || in.s[i] == u' ' || in.s[i] == u'\t' || in.s[i] == u'\n';
}

// The common cases, decided without trying every rule (the fuzz tests against the reference
// lexer cover them). Returns the token length, or 0 to take the full path.
//  * An ASCII word [A-Za-z][A-Za-z0-9]* followed by a space, tab, \n or the end is one token
//    (WORD): rules that cross a space need a '.', '<' or a leading digit; ABBREV4/{SPACE} and
//    ACRO/{SPACENL} match longer but yield the same text. Not so for the split
//    assimilations (cannot, gonna, ...).
//  * The same word followed by ',' or ';' and then a space, tab, \n or the end is one token
//    too (with anything else after the comma, HTHING or EMAIL may run on through it).
//  * ',' ';' ':' '.' before a space, tab, \n or the end are one token each (not ". . .").
int fast_token_length(const Input& in, int pos) {
  const char16_t c0 = in.s[pos];
  if (c0 == u',' || c0 == u';' || c0 == u':') return blank_or_end(in, pos + 1) ? 1 : 0;
  if (c0 == u'.') {
    if (!blank_or_end(in, pos + 1)) return 0;
    const bool spaced_dots = pos + 2 < in.n && in.s[pos + 1] == u' ' && in.s[pos + 2] == u'.';
    return spaced_dots ? 0 : 1;
  }
  if (!ascii_letter(c0)) return 0;
  int end = pos + 1;
  while (end < in.n && (ascii_letter(in.s[end]) || ascii_digit(in.s[end]))) ++end;
  if (!blank_or_end(in, end)) {  // "word, " / "word; " (HTHING and EMAIL run on otherwise)
    const char16_t next = in.s[end];
    if ((next != u',' && next != u';') || !blank_or_end(in, end + 1)) return 0;
  }
  const int len = end - pos;
  if (len == 5 || len == 6) {
    std::u16string w(in.s + pos, in.s + end);
    for (auto& ch : w) ch = (ch >= u'A' && ch <= u'Z') ? char16_t(ch + 32) : ch;
    for (const char16_t* a : {u"cannot", u"gonna", u"gotta", u"lemme", u"gimme", u"wanna"})
      if (w == a) return 0;
  }
  return len;
}

}  // namespace

int lex_range(const std::u16string& text, int start, int stop, std::vector<Token>& out) {
  const Grammar& g = grammar();
  const Input in{text.data(), static_cast<int>(text.size())};
  Scratch sc;
  auto emit = [&out](std::u16string s) { out.push_back({std::move(s), false}); };

  int pos = start;
  stop = std::min(stop, in.n);
  while (pos < stop) {
    const char16_t first = in.s[pos];
    if (first == u' ' || first == u'\t') {  // SPACES: the whole run is skipped, U+00A0 etc. too
      while (pos < in.n && is_space_char(in.s[pos])) ++pos;
      continue;
    }
    if (first == u'\n') {  // NEWLINE (a \r\n pair starts at the \r and takes the full path)
      out.push_back({u"*NL*", true});
      ++pos;
      continue;
    }
    if (const int word = fast_token_length(in, pos)) {
      emit(std::u16string(in.s + pos, in.s + pos + word));
      pos += word;
      continue;
    }
    sc.memo_clear();
    Match best;
    for (size_t i = 0; i < g.rules.size(); ++i) {
      const Rule& r = g.rules[i];
      if (!r.first.test(first)) continue;
      const int len = rule_length(r, in, pos, sc);
      if (len > best.total) best = {static_cast<int>(i), len};
    }
    if (best.rule < 0) {  // cannot happen (the last rule takes any unit but \n, NEWLINE takes \n)
      ++pos;
      continue;
    }
    const Rule& r = g.rules[best.rule];
    int len = r.trail ? split_trailing(r, in, pos, best.total, sc) : best.total;
    std::u16string yytext(in.s + pos, in.s + pos + len);
    switch (r.act) {
      case Act::Plain: emit(yytext); break;
      case Act::Pushback3: len -= 3; emit(yytext.substr(0, len)); break;
      case Act::Pushback2: len -= 2; emit(yytext.substr(0, len)); break;
      case Act::Sgml: emit(spaces_to_nbsp(yytext)); break;
      case Act::MDash: emit(u"--"); break;
      case Act::Amp: emit(normalize_amp(yytext)); break;
      case Act::SoftHyphens: emit(remove_soft_hyphens(yytext)); break;
      case Act::Quote: emit(latex_quotes(yytext, false)); break;
      case Act::QuoteLeft: emit(latex_quotes(yytext, true)); break;
      case Act::Frac: emit(spaces_to_nbsp(yytext)); break;
      case Act::Frac2: emit(normalize_fractions(yytext)); break;
      case Act::Currency: emit(normalize_currency(yytext)); break;
      case Act::Acronym:
        while (len > 0 && is_trim_space(in.s[pos + len - 1])) --len;
        if (len == 2) {  // "I." and the like: the letter now, the period next time
          len = 1;
          emit(std::u16string(in.s + pos, in.s + pos + len));
        } else {  // the acronym WITH its period, and the period again as the next token
          emit(std::u16string(in.s + pos, in.s + pos + len));
          --len;
        }
        break;
      case Act::TrimTrailingSpace:
        while (len > 0 && is_trim_space(in.s[pos + len - 1])) --len;
        emit(std::u16string(in.s + pos, in.s + pos + len));
        break;
      case Act::AbbrevSentEnd: emit(yytext); --len; break;
      case Act::Phone: emit(parens_to_ptb(spaces_to_nbsp(yytext))); break;
      case Act::Less: emit(u"<"); break;
      case Act::Greater: emit(u">"); break;
      case Act::Smiley: emit(parens_to_ptb(yytext)); break;
      case Act::LBrace: emit(u"-LCB-"); break;
      case Act::RBrace: emit(u"-RCB-"); break;
      case Act::LBrack: emit(u"-LSB-"); break;
      case Act::RBrack: emit(u"-RSB-"); break;
      case Act::LParen: emit(u"-LRB-"); break;
      case Act::RParen: emit(u"-RRB-"); break;
      case Act::Hyphens: emit(len >= 3 && len <= 4 ? std::u16string(u"--") : yytext); break;
      case Act::Ellipsis: emit(u"..."); break;
      case Act::Skip: break;
      case Act::Newline: out.push_back({u"*NL*", true}); break;
      case Act::Untokenizable: break;
    }
    pos += len;
  }
  return pos;
}

std::vector<Token> lex(const std::u16string& text) {
  std::vector<Token> out;
  lex_range(text, 0, static_cast<int>(text.size()), out);
  return out;
}

}  // namespace pgc::ptb

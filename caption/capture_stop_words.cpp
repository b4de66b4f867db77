// CAPTURE's object stop-word list: the 317 entries of `stop_words_list` in
// capture/capture_metric/stop_words.py of foundation-multimodal-models/CAPTURE (capture_metric
// 0.1.12), as transcribed in shared/specs/capture.md section 2.9 (UTF-8, case-sensitive, order
// kept; the reference turns it into a set). Data, not logic.
#include "caption/capture_graph.hpp"

namespace pgc {

const std::vector<std::string>& capture_stop_word_list() {
  static const std::vector<std::string> words = {
    "background", "scene", "object", "image", "element", "text", "landscape", "setting", "space",
    "foreground", "life", "backdrop", "nature", "design", "atmosphere", "surface", "position",
    "structure", "hue", "picture", "color", "frame", "charm", "area", "attention", "presence",
    "attire", "surroundings", "world", "distance", "location", "ambiance", "gaze", "tone", "figure",
    "field", "center", "day", "air", "pattern", "tranquility", "view", "photo", "story", "activity",
    "expression", "item", "time", "composition", "viewer", "environment", "horizon", "moment",
    "narrative", "place", "spectator", "architecture", "texture", "anticipation", "content",
    "detail", "back", "cityscape", "motion", "top", "comfort", "display", "journey", "description",
    "action", "Atmosphäre", "expanse", "glow", "adventure", "individual", "joy", "city life",
    "interior", "character", "night", "angle", "perspective", "stance", "history", "shape",
    "energy", "spirit", "match", "movement", "game", "exterior", "beauty", "event", "accent",
    "focus", "bustle", "touch", "camaraderie", "aesthetic", "vantage point", "excitement",
    "direction", "warmth", "harmony", "border", "right", "terrain", "mid-air", "palette", "message",
    "interaction", "workspace", "spectacle", "base", "name", "theme", "mood", "solitude", "left",
    "culture", "grandeur", "facade", "boundary", "white", "information", "illustration", "row",
    "balance", "creativity", "layout", "style", "simplicity", "body language", "photograph",
    "celebration", "hustle", "work", "form", "court", "edge", "chaos", "posture", "elegance",
    "handle", "tableau", "short", "clothing", "context", "depth", "uniform", "rhythm",
    "everyday life", "experience", "reflection", "identity", "pleasure", "marvel", "weather",
    "neighborhood", "track", "urban life", "functionality", "silhouette", "aura", "pose",
    "outdoors", "conversation", "imagination", "surrounding", "countertop", "serenity", "side",
    "scenery", "atmosfere", "peak", "traffic", "arrangement", "mystery", "thrill", "essence",
    "formation", "skill", "outline", "presentation", "community", "darkness", "demeanor", "section",
    "group", "positioning", "scale", "memory", "living space", "front", "emotion", "task", "travel",
    "freedom", "feature", "curiosity", "decor", "performance", "dining experience", "purpose",
    "resilience", "passion", "Moment", "art", "wilderness", "effect", "urban setting", "power",
    "him", "vibe", "placement", "destination", "wild", "vastness", "determination", "layer",
    "heritage", "contrast", "innocence", "beauté", "decoration", "infrastructure", "urban",
    "ensemble", "page", "countryside", "winter", "material", "intersection", "subject", "stillness",
    "appeal", "height", "play", "tall", "modernity", "connection", "natural", "exploration",
    "coexistence", "bottom", "tension", "outdoor", "Nature", "natural beauté", "technology",
    "imagery", "reality", "relaxation", "spot", "point", "show", "significance", "personality",
    "her", "snapshot", "viewpoint", "entrance", "rim", "operation", "intensity", "nostalgia",
    "afternoon", "it", "stride", "case", "key", "component", "pant", "collage", "speed", "promise",
    "atmosphère", "vibrancy", "remote", "teamwork", "site", "turn", "end", "network", "love",
    "flavor", "strap", "era", "marking", "music", "confidence", "knowledge", "appearance",
    "condition", "routine", "team", "role", "unity", "bloom", "ecosystem", "topping", "enclosure",
    "order", "step", "flight", "ingredient", "diversity", "tip", "universe", "breakfast", "middle",
    "treat", "companionship", "essential", "red", "symbolism", "interpretation",
  };
  return words;
}

}  // namespace pgc

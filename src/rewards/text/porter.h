// The Porter stemmer as NLTK's PorterStemmer computes it in its default mode, NLTK_EXTENSIONS
// (nltk/stem/porter.py), which is the stemmer rouge-score's use_stemmer applies.
//
// That mode is Porter's 1980 algorithm ("An algorithm for suffix stripping", Program 14(3)) with
// Martin Porter's later fixes and NLTK's own: a table of irregular forms (skies -> sky, dying ->
// die, news -> news, ...); words of 1-2 letters unchanged; step 1a "ies" -> "ie" in 4-letter
// words; step 1b "ied" -> "ie"/"i"; step 1c y -> i only after a consonant that is not the first
// letter; step 2 "alli" applied first (then step 2 again), "bli" -> "ble", "fulli" -> "ful" and
// "logi" -> "log" (measured with the l); and *o true for a two-letter vowel-consonant stem.
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef MERIT_REWARDS_TEXT_PORTER_H_
#define MERIT_REWARDS_TEXT_PORTER_H_

#include <string>
#include <string_view>

namespace merit::text_metrics {

// Writes the stem of `word` to `out` (replacing it). Upper-case ASCII letters are lower-cased
// first, as PorterStemmer.stem(to_lowercase=True) does; other bytes are taken as they are
// (consonants). Linear in the word's length for any input; allocates only when `out` must grow.
void PorterStem(std::string_view word, std::string& out);

std::string PorterStem(std::string_view word);

}  // namespace merit::text_metrics

#endif  // MERIT_REWARDS_TEXT_PORTER_H_

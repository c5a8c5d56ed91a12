// Strict parsers for judge replies. Every judge is asked to end its reply with a fixed line (or,
// for judge.critique, a fixed block of lines); only that is read, so a judge that rambles, hedges
// ("VERDICT: YES or NO"), formats ("**VERDICT: YES**") or stops early is unparseable, never a
// guess. The parsers never fail as calls and read at most the reply's last lines.
//
//   LastLine                  the last non-empty line, trimmed of ASCII whitespace
//   ParseVerdict              "VERDICT: YES" | "VERDICT: NO"
//   ParseScore                "SCORE: <number>", number in [min, max]
//   ParseWinner               "WINNER: A" | "WINNER: B" | "WINNER: TIE"
//   ParseDimensions           the last k non-empty lines are "<name>: <number>", one per dimension
//                             (any order), every number in [min, max]
// Keywords and values are upper case as shown and exactly one or more spaces or tabs may follow
// the colon. A number is an optional '-' or '+', digits, and an optional '.' with digits ("7",
// "-2.5", "+3"); no exponent, no "7/10".
//
// Thread safety: pure functions.
#ifndef MERIT_REWARDS_JUDGE_PARSE_H_
#define MERIT_REWARDS_JUDGE_PARSE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace merit::judge {

enum class Winner : std::uint8_t { kA, kB, kTie };

std::string_view LastLine(std::string_view reply);

std::optional<bool> ParseVerdict(std::string_view reply);
std::optional<double> ParseScore(std::string_view reply, double min, double max);
std::optional<Winner> ParseWinner(std::string_view reply);
// Dimension i's number at index i; nullopt when the block does not parse. REQUIRES: names are
// distinct.
std::optional<std::vector<double>> ParseDimensions(std::string_view reply,
                                                   std::span<const std::string> names, double min,
                                                   double max);

// A plain number as described above; nullopt for anything else.
std::optional<double> ParseNumber(std::string_view text);

// The last (at most) 160 bytes of `reply`, cut at a UTF-8 boundary, for error explanations.
std::string_view ReplyTail(std::string_view reply);

}  // namespace merit::judge

#endif  // MERIT_REWARDS_JUDGE_PARSE_H_

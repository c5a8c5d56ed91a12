// The judge family's parsers on arbitrary bytes: the strict reply parsers, the master-key screen,
// answer extraction, prompt-template compilation and the neutralisation of inserted text.
// Checked properties: parsed scores lie in their scale; the screen's rest is a suffix of its
// input; neutralised text holds no structural tag and no line that starts with a reply keyword.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rewards/judge/master_keys.h"
#include "rewards/judge/parse.h"
#include "rewards/judge/templates.h"

namespace {

void Require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 16 KiB inputs only lengthen the linear scans.
  if (size > 16384) {
    return 0;
  }
  namespace judge = merit::judge;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  (void)judge::ParseVerdict(input);
  (void)judge::ParseWinner(input);
  if (const auto score = judge::ParseScore(input, -2.5, 10)) {
    Require(*score >= -2.5 && *score <= 10);
  }
  const std::vector<std::string> names = {"helpfulness", "accuracy"};
  if (const auto values = judge::ParseDimensions(input, names, 1, 4)) {
    Require(values->size() == 2);
    for (const double value : *values) {
      Require(value >= 1 && value <= 4);
    }
  }
  Require(judge::ReplyTail(input).size() <= 160);

  const judge::Screened screened = judge::ScreenResponse(input);
  if (screened.verdict == judge::Screen::kContent) {
    Require(input.ends_with(screened.rest));
  } else {
    Require(screened.rest.empty());
  }
  const std::string_view answer = judge::ExtractFinalAnswer(input);
  Require(answer.empty() || (answer.data() >= input.data() &&
                             answer.data() + answer.size() <= input.data() + input.size()));
  (void)judge::SameWords(input, answer);

  std::string neutralized;
  judge::AppendNeutralized(input, neutralized);
  const std::string lower = Lower(neutralized);
  for (const std::string_view tag : {"<response>", "</response>", "<reference>", "<question>",
                                     "<response_a>", "</response_b>"}) {
    Require(lower.find(tag) == std::string::npos);
  }
  std::size_t line = 0;
  while (line <= neutralized.size()) {
    const std::string_view rest = std::string_view(neutralized).substr(line);
    for (const std::string_view keyword : {"VERDICT:", "SCORE:", "WINNER:"}) {
      Require(!rest.starts_with(keyword));
    }
    const std::size_t newline = neutralized.find('\n', line);
    if (newline == std::string::npos) {
      break;
    }
    line = newline + 1;
  }

  const auto prompt = judge::MakePrompt(judge::JudgeKind::kVerify, "", input);
  if (prompt.ok()) {
    judge::SlotValues slots;
    slots.Set(judge::Slot::kResponse, input);
    std::string out;
    prompt->user.RenderTo(slots, 1024, out);
  }
  return 0;
}

#include "rewards/vision/iou.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>

#include <fmt/format.h>

namespace merit::vision {

Box ToCorners(const std::array<double, 4>& v, BoxFormat format) {
  if (format == BoxFormat::kCornerSize) {
    return {.x1 = v[0], .y1 = v[1], .x2 = v[0] + v[2], .y2 = v[1] + v[3]};
  }
  return {.x1 = v[0], .y1 = v[1], .x2 = v[2], .y2 = v[3]};
}

namespace {

bool Valid(const Box& b) {
  return std::isfinite(b.x1) && std::isfinite(b.y1) && std::isfinite(b.x2) &&
         std::isfinite(b.y2) && b.x1 <= b.x2 && b.y1 <= b.y2;
}

bool InUnitSquare(const Box& b) {
  return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= 1 && b.y2 <= 1;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Parses "ws number ws" at text[pos], then `end` (',' or ']'). Returns the position after `end`,
// or npos.
std::size_t ParseItem(std::string_view text, std::size_t pos, char end, double& out) {
  while (pos < text.size() && IsSpace(text[pos])) {
    ++pos;
  }
  std::size_t stop = pos;
  while (stop < text.size() && (std::isdigit(static_cast<unsigned char>(text[stop])) ||
                                text[stop] == '.' || text[stop] == '-' || text[stop] == '+' ||
                                text[stop] == 'e' || text[stop] == 'E')) {
    ++stop;
  }
  if (stop == pos) {
    return std::string_view::npos;
  }
  // from_chars rejects a leading '+'; JSON and models rarely write one, but accept it.
  const std::size_t begin = text[pos] == '+' ? pos + 1 : pos;
  const auto [ptr, ec] = std::from_chars(text.data() + begin, text.data() + stop, out);
  if (ec != std::errc() || ptr != text.data() + stop) {
    return std::string_view::npos;
  }
  pos = stop;
  while (pos < text.size() && IsSpace(text[pos])) {
    ++pos;
  }
  return pos < text.size() && text[pos] == end ? pos + 1 : std::string_view::npos;
}

std::string_view AnswerText(std::string_view completion) {
  constexpr std::string_view kOpen = "<answer>";
  constexpr std::string_view kClose = "</answer>";
  const std::size_t open = completion.find(kOpen);
  if (open == std::string_view::npos) {
    return completion;
  }
  const std::size_t begin = open + kOpen.size();
  const std::size_t close = completion.find(kClose, begin);
  return close == std::string_view::npos ? completion.substr(begin)
                                         : completion.substr(begin, close - begin);
}

}  // namespace

double Iou(const Box& a, const Box& b) {
  if (!Valid(a) || !Valid(b)) {
    return 0.0;
  }
  const double w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const double h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const double inter = w > 0 && h > 0 ? w * h : 0.0;
  const double area_a = (a.x2 - a.x1) * (a.y2 - a.y1);
  const double area_b = (b.x2 - b.x1) * (b.y2 - b.y1);
  const double uni = area_a + area_b - inter;
  return uni > 0 && std::isfinite(uni) ? inter / uni : 0.0;
}

std::vector<std::array<double, 4>> ExtractBoxes(std::string_view text, std::size_t max_boxes) {
  std::vector<std::array<double, 4>> boxes;
  std::size_t pos = text.find('[');
  while (pos != std::string_view::npos && boxes.size() <= max_boxes) {
    std::array<double, 4> box = {};
    std::size_t at = pos + 1;
    for (std::size_t k = 0; k < 4 && at != std::string_view::npos; ++k) {
      at = ParseItem(text, at, k < 3 ? ',' : ']', box[k]);
    }
    if (at != std::string_view::npos) {
      boxes.push_back(box);
      pos = text.find('[', at);
    } else {
      pos = text.find('[', pos + 1);
    }
  }
  return boxes;
}

double MaxMatching(std::span<const double> rewards, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) {
    return 0.0;
  }
  const bool transpose = rows > cols;
  const std::size_t n = transpose ? cols : rows;
  const std::size_t m = transpose ? rows : cols;
  // Minimum-cost assignment of n rows to distinct columns among m (n <= m) with cost -reward:
  // the shortest-augmenting-path Hungarian algorithm with potentials, 1-based as usual.
  const auto cost = [&](std::size_t i, std::size_t j) {
    return -(transpose ? rewards[(j - 1) * cols + (i - 1)] : rewards[(i - 1) * cols + (j - 1)]);
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0);
  std::vector<double> v(m + 1, 0.0);
  std::vector<std::size_t> p(m + 1, 0);
  std::vector<std::size_t> way(m + 1, 0);
  std::vector<double> min_v(m + 1);
  std::vector<std::uint8_t> used(m + 1);
  for (std::size_t i = 1; i <= n; ++i) {
    p[0] = i;
    std::size_t j0 = 0;
    std::fill(min_v.begin(), min_v.end(), kInf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const std::size_t i0 = p[j0];
      double delta = kInf;
      std::size_t j1 = 0;
      for (std::size_t j = 1; j <= m; ++j) {
        if (used[j]) {
          continue;
        }
        const double cur = cost(i0, j) - u[i0] - v[j];
        if (cur < min_v[j]) {
          min_v[j] = cur;
          way[j] = j0;
        }
        if (min_v[j] < delta) {
          delta = min_v[j];
          j1 = j;
        }
      }
      for (std::size_t j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          min_v[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const std::size_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  double total = 0.0;
  for (std::size_t j = 1; j <= m; ++j) {
    if (p[j] != 0) {
      total -= cost(p[j], j);
    }
  }
  return total;
}

namespace {

constexpr std::string_view kFormats[] = {"xyxy", "xywh"};
constexpr std::string_view kReferenceFormats[] = {"same", "xyxy", "xywh"};

struct IouOptions {
  std::string format = "xyxy";
  std::string reference_format = "same";
  bool normalized = false;
  double threshold = 0;
  std::int64_t max_boxes = 100;

  static constexpr auto kFields = std::tuple{
      Field{"format", &IouOptions::format,
            "Box layout in the completion: xyxy = [x1, y1, x2, y2], xywh = [x, y, width, height].",
            {.choices = kFormats}},
      Field{"reference_format", &IouOptions::reference_format,
            "Box layout in the reference; same: as `format`.", {.choices = kReferenceFormats}},
      Field{"normalized", &IouOptions::normalized,
            "Coordinates are fractions of the image: boxes outside [0, 1] are invalid (a "
            "completion's box scores 0, a reference's makes the sample unscorable)."},
      Field{"threshold", &IouOptions::threshold,
            "0: a matched pair earns its IoU; above 0: it earns 1 when IoU >= threshold, else 0.",
            {.min = 0, .max = 1}},
      Field{"max_boxes", &IouOptions::max_boxes,
            "Most boxes per side (the matching is cubic in the count); more in the completion "
            "scores 0 (too_many_boxes).",
            {.min = 1, .max = 1000}},
  };
};

BoxFormat FormatOf(std::string_view name) {
  return name == "xywh" ? BoxFormat::kCornerSize : BoxFormat::kCorners;
}

class IouReward final : public Reward {
 public:
  explicit IouReward(const IouOptions& options)
      : format_(FormatOf(options.format)),
        reference_format_(options.reference_format == "same" ? format_
                                                             : FormatOf(options.reference_format)),
        normalized_(options.normalized),
        threshold_(options.threshold),
        max_boxes_(static_cast<std::size_t>(options.max_boxes)) {}

  Score Evaluate(const Sample& sample, ScoreContext& /*context*/) const override {
    std::vector<Box> gold;
    if (std::optional<Score> failure = ReadReference(sample.reference, gold)) {
      return *std::move(failure);
    }
    const std::vector<std::array<double, 4>> found =
        ExtractBoxes(AnswerText(sample.completion_text), max_boxes_);
    if (found.empty()) {
      return Score::Ok(0.0, "no_answer");
    }
    if (found.size() > max_boxes_) {
      return Score::Ok(0.0, "too_many_boxes");
    }
    std::vector<double> rewards(found.size() * gold.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
      const Box predicted = ToCorners(found[i], format_);
      const bool usable = !normalized_ || InUnitSquare(predicted);
      for (std::size_t j = 0; j < gold.size(); ++j) {
        const double iou = usable ? Iou(predicted, gold[j]) : 0.0;
        rewards[i * gold.size() + j] = threshold_ > 0 ? (iou >= threshold_ ? 1.0 : 0.0) : iou;
      }
    }
    const double matched = MaxMatching(rewards, found.size(), gold.size());
    return Score::Ok(
        std::clamp(matched / static_cast<double>(std::max(found.size(), gold.size())), 0.0, 1.0));
  }

 private:
  // The gold boxes: [x1, y1, x2, y2], a list of such lists, or text holding them.
  std::optional<Score> ReadReference(const Json& reference, std::vector<Box>& gold) const {
    std::vector<std::array<double, 4>> values;
    const auto as_box = [](const Json& item, std::array<double, 4>& out) {
      if (!item.is_array() || item.array().size() != 4) {
        return false;
      }
      for (std::size_t k = 0; k < 4; ++k) {
        if (!item.array()[k].is_number()) {
          return false;
        }
        out[k] = item.array()[k].number();
      }
      return true;
    };
    if (reference.is_null() || (reference.is_array() && reference.array().empty())) {
      return Score::Unscorable("no_reference", "the sample has no gold box");
    }
    std::array<double, 4> one = {};
    if (reference.is_string()) {
      values = ExtractBoxes(reference.str(), max_boxes_);
    } else if (as_box(reference, one)) {
      values.push_back(one);
    } else if (reference.is_array()) {
      for (const Json& item : reference.array()) {
        if (!as_box(item, one)) {
          return Score::Unscorable("reference_unparseable",
                                   "expected a box [a, b, c, d] or a list of boxes");
        }
        values.push_back(one);
      }
    }
    if (values.empty() || values.size() > max_boxes_) {
      return Score::Unscorable("reference_unparseable",
                               fmt::format("expected 1 to {} gold boxes, got {}", max_boxes_,
                                           values.size()));
    }
    for (const auto& v : values) {
      const Box box = ToCorners(v, reference_format_);
      if (!Valid(box) || (normalized_ && !InUnitSquare(box))) {
        return Score::Unscorable("reference_unparseable",
                                 fmt::format("invalid gold box [{}, {}, {}, {}]", v[0], v[1],
                                             v[2], v[3]));
      }
      gold.push_back(box);
    }
    return std::nullopt;
  }

  const BoxFormat format_;
  const BoxFormat reference_format_;
  const bool normalized_;
  const double threshold_;
  const std::size_t max_boxes_;
};

StatusOr<std::unique_ptr<const Reward>> MakeIou(const IouOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<IouReward>(options));
}

}  // namespace

void RegisterIou(Registry& registry) {
  registry.AddReward<IouOptions>(
      {.name = "vision.iou",
       .summary = "IoU between the boxes in the completion and the gold boxes, matched one to "
                  "one (continuous, or thresholded).",
       .min = 0,
       .max = 1,
       .example = "{type: vision.iou, format: xyxy, threshold: 0.5}",
       .source = "spec A §5 (Mixed-R1 grounding reward)"},
      &MakeIou);
}

}  // namespace merit::vision

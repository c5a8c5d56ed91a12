// vision.iou (spec A §5, Mixed-R1's grounding reward): intersection over union between the
// boxes a completion names and the gold boxes.
//
// Boxes are lists of four numbers, [x1, y1, x2, y2] (corners) or [x, y, w, h] (corner and
// size), in pixels or normalised to [0, 1]; IoU does not depend on the unit as long as both
// sides use the same one. Several boxes are matched one to one so that the summed pair reward
// is largest (Hungarian algorithm), and the reward is that sum divided by the larger of the two
// box counts, so missing and extra boxes both cost. A pair's reward is its IoU (continuous) or
// 1 when the IoU reaches `threshold`.
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef MERIT_REWARDS_VISION_IOU_H_
#define MERIT_REWARDS_VISION_IOU_H_

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "merit/registry.h"

namespace merit::vision {

// Corners: x1 <= x2 and y1 <= y2 for a valid box.
struct Box {
  double x1 = 0;
  double y1 = 0;
  double x2 = 0;
  double y2 = 0;
};

enum class BoxFormat : std::uint8_t { kCorners, kCornerSize };  // xyxy, xywh

Box ToCorners(const std::array<double, 4>& values, BoxFormat format);

// IoU of two boxes; 0 when either is invalid (x2 < x1, y2 < y1, not finite) or the union has
// no area.
double Iou(const Box& a, const Box& b);

// Every bracketed list of exactly four numbers in `text`, in order ("[1, 2, 3, 4]",
// "[[0,0,5,5],[1,1,2,2]]", "{\"bbox_2d\": [10, 20, 30, 40]}"). Linear in the text. Stops after
// `max_boxes` + 1 boxes (enough for the caller to see there are too many).
std::vector<std::array<double, 4>> ExtractBoxes(std::string_view text, std::size_t max_boxes);

// The largest sum of pair rewards over one-to-one matchings; rewards is rows x cols, row-major.
// O(rows^2 * cols) for rows <= cols (transposed otherwise).
double MaxMatching(std::span<const double> rewards, std::size_t rows, std::size_t cols);

void RegisterIou(Registry& registry);

}  // namespace merit::vision

#endif  // MERIT_REWARDS_VISION_IOU_H_

// vision.iou: the worked examples of spec A §5, box formats, one-to-one matching of several
// boxes, thresholding and bad input.
#include "rewards/vision/iou.h"

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit::vision {
namespace {

struct IouCase {
  std::string_view name;
  std::string_view reward;
  std::string_view sample;
  double want;
  std::string_view reason = {};
  ScoreStatus status = ScoreStatus::kOk;
};

TEST(VisionIou, Table) {
  const IouCase kCases[] = {
      {"spec_example_1", "{type: vision.iou}",
       R"({"completion": "[10, 10, 50, 50]", "reference": [30, 30, 70, 70]})", 400.0 / 2800},
      {"spec_example_2", "{type: vision.iou}",
       R"({"completion": "<answer>[0,0,100,100]</answer>", "reference": [10, 10, 90, 90]})",
       0.64},
      {"xywh", "{type: vision.iou, format: xywh}",
       R"({"completion": "[10, 10, 40, 40]", "reference": [30, 30, 40, 40]})", 400.0 / 2800},
      {"xywh_completion_xyxy_reference", "{type: vision.iou, format: xywh, reference_format: xyxy}",
       R"({"completion": "[10, 10, 40, 40]", "reference": [30, 30, 70, 70]})", 400.0 / 2800},
      {"qwen_json", "{type: vision.iou}",
       R"({"completion": "```json\n[{\"bbox_2d\": [0, 0, 100, 100], \"label\": \"cat\"}]\n```", "reference": [10, 10, 90, 90]})",
       0.64},
      {"threshold_pass", "{type: vision.iou, threshold: 0.5}",
       R"({"completion": "[0,0,100,100]", "reference": [10, 10, 90, 90]})", 1.0},
      {"threshold_fail", "{type: vision.iou, threshold: 0.7}",
       R"({"completion": "[0,0,100,100]", "reference": [10, 10, 90, 90]})", 0.0},
      // Each gold box is used once: the second predicted box takes the first gold box (IoU 1),
      // and the first predicted box has only a disjoint one left.
      {"one_to_one_matching", "{type: vision.iou}",
       R"({"completion": "[[0,0,10,10],[0,0,8,8]]", "reference": [[0,0,8,8],[20,20,30,30]]})",
       0.5},
      {"two_exact_in_any_order", "{type: vision.iou}",
       R"({"completion": "[5,5,6,6] and [0,0,1,1]", "reference": [[0,0,1,1],[5,5,6,6]]})", 1.0},
      {"extra_box_costs", "{type: vision.iou}",
       R"({"completion": "[0,0,1,1] [3,3,4,4]", "reference": [0,0,1,1]})", 0.5},
      {"missing_box_costs", "{type: vision.iou}",
       R"({"completion": "[0,0,1,1]", "reference": [[0,0,1,1],[3,3,4,4]]})", 0.5},
      {"invalid_box_is_zero", "{type: vision.iou}",
       R"({"completion": "[50, 10, 10, 50]", "reference": [10, 10, 50, 50]})", 0.0},
      {"zero_area_is_zero", "{type: vision.iou}",
       R"({"completion": "[10, 10, 10, 10]", "reference": [10, 10, 10, 10]})", 0.0},
      {"no_box", "{type: vision.iou}",
       R"({"completion": "a cat at the top left", "reference": [0, 0, 1, 1]})", 0.0, "no_answer"},
      {"three_numbers_is_no_box", "{type: vision.iou}",
       R"({"completion": "[1, 2, 3]", "reference": [0, 0, 1, 1]})", 0.0, "no_answer"},
      {"normalized_out_of_range", "{type: vision.iou, normalized: true}",
       R"({"completion": "[0, 0, 2, 2]", "reference": [0, 0, 1, 1]})", 0.0},
      {"normalized_in_range", "{type: vision.iou, normalized: true}",
       R"({"completion": "[0, 0, 0.5, 1]", "reference": [0, 0, 1, 1]})", 0.5},
      {"reference_as_text", "{type: vision.iou}",
       R"({"completion": "[0,0,1,1]", "reference": "[0, 0, 1, 1]"})", 1.0},
      {"too_many_boxes", "{type: vision.iou, max_boxes: 2}",
       R"({"completion": "[0,0,1,1][0,0,1,1][0,0,1,1]", "reference": [0, 0, 1, 1]})", 0.0,
       "too_many_boxes"},
      {"no_reference", "{type: vision.iou}", R"({"completion": "[0,0,1,1]"})", 0.0,
       "no_reference", ScoreStatus::kUnscorable},
      {"bad_reference", "{type: vision.iou}",
       R"({"completion": "[0,0,1,1]", "reference": [[0, 0, 1]]})", 0.0, "reference_unparseable",
       ScoreStatus::kUnscorable},
      {"inverted_reference", "{type: vision.iou}",
       R"({"completion": "[0,0,1,1]", "reference": [1, 1, 0, 0]})", 0.0, "reference_unparseable",
       ScoreStatus::kUnscorable},
  };
  for (const IouCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Result result = testutil::Score(c.reward, c.sample);
    ASSERT_EQ(result.status, c.status) << result.explanation;
    if (c.status == ScoreStatus::kOk) {
      EXPECT_NEAR(*result.reward, c.want, 1e-12);
    }
    if (!c.reason.empty()) {
      EXPECT_EQ(result.reason, c.reason);
    }
  }
}

TEST(VisionIou, ExtractBoxesIsLinearAndTolerant) {
  EXPECT_EQ(ExtractBoxes("[1,2,3,4] [ 5 , 6 , 7 , 8 ] [9,10,11] [1e1, -2, +3, 4.5]", 10).size(),
            3u);
  std::string nested(100000, '[');
  nested += "1,2,3,4]";
  EXPECT_EQ(ExtractBoxes(nested, 10).size(), 1u);
  EXPECT_EQ(ExtractBoxes(std::string(1 << 20, '1'), 10).size(), 0u);
}

TEST(VisionIou, MaxMatchingFindsTheBestAssignment) {
  // 3 x 2: the best is row 0 -> col 1 (0.9) and row 2 -> col 0 (0.8).
  const double rewards[] = {0.5, 0.9, 0.4, 0.6, 0.8, 0.1};
  EXPECT_NEAR(MaxMatching(rewards, 3, 2), 1.7, 1e-12);
  EXPECT_EQ(MaxMatching({}, 0, 3), 0.0);
  // Greedy (best pair first) would take 0.9 and then 0.0; the optimum is 0.8 + 0.8.
  const double greedy_trap[] = {0.9, 0.8, 0.8, 0.0};
  EXPECT_NEAR(MaxMatching(greedy_trap, 2, 2), 1.6, 1e-12);
}

}  // namespace
}  // namespace merit::vision

#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/tool/tool.h"

namespace merit {

void RegisterToolRewards(Registry& registry) {
  registry.AddReward<tool::CallsOptions>(
      {.name = "tool.calls",
       .summary = "ToolRL: format reward (the <think>/<tool_call>/<response> shape the reference "
                  "asks for) plus correctness (name Jaccard, parameter-name Jaccard and exact "
                  "values, greedily matched, scaled to [min_correct, max_correct]).",
       .min = -4.0,
       .max = 5.0,
       .example = "{type: tool.calls, component: total, source: auto}",
       .source = "spec A §2 (ToolRL, arXiv 2504.13958; qiancheng0/ToolRL rlla.py)"},
      &tool::MakeCalls);
  registry.AddReward<tool::AstOptions>(
      {.name = "tool.ast",
       .summary = "BFCL's AST checker: 1 if the decoded calls match the function docs and the "
                  "acceptable values of the ground truth (types, optional parameters, order-free "
                  "parallel calls, string normalisation), else 0 with BFCL's error type.",
       .min = 0.0,
       .max = 1.0,
       .example = "{type: tool.ast, language: auto, category: auto, name_match: either}",
       .source = "BFCL (gorilla bfcl_eval/eval_checker/ast_eval/ast_checker.py)"},
      &tool::MakeAst);
}

}  // namespace merit

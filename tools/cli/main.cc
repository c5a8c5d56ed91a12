// merit: score JSONL rollouts with a reward config. See README.md.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"merit: a fast, hack-resistant reward engine for LLM post-training"};
  app.require_subcommand(1);

  merit::cli::ScoreArgs score;
  CLI::App* score_cmd = app.add_subcommand("score", "Score a JSONL file of rollouts");
  score_cmd->add_option("-c,--config", score.config, "Reward config (YAML or JSON)")->required();
  score_cmd->add_option("-i,--input", score.input, "Input JSONL file, or - for stdin");
  score_cmd->add_option("-o,--output", score.output, "Output JSONL file, or - for stdout");
  score_cmd->add_option("-j,--threads", score.threads, "Scoring threads (0: all cores)");
  score_cmd->add_option("--batch-lines", score.batch_lines, "Lines per batch")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  score_cmd->add_option("--max-line-bytes", score.max_line_bytes,
                        "Longer input lines become error records");
  score_cmd->add_flag("--strict", score.strict, "Exit with status 1 if any sample has an error");
  score_cmd->add_flag("-q,--quiet", score.quiet, "No summary on stderr");
  score_cmd->add_option("--summary-json", score.summary_json, "Write the summary as JSON here");

  merit::cli::ServeArgs serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve rewards over HTTP (see docs/serve.md)");
  serve_cmd->add_option("-c,--config", serve.configs, "Config, or NAME=CONFIG; repeat for more")
      ->required();
  serve_cmd->add_option("--host", serve.host, "Address to bind (loopback by default)");
  serve_cmd->add_option("--port", serve.port, "Port (0: any free port)");
  serve_cmd->add_option("-j,--threads", serve.threads, "Scoring threads (0: all cores)");
  serve_cmd->add_option("--workers", serve.workers, "Batches scored at once (0: = threads)");
  serve_cmd->add_option("--queue", serve.queue, "Batches that may wait; more get 429");
  serve_cmd->add_option("--http-threads", serve.http_threads, "Connections served at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  serve_cmd->add_option("--max-batch", serve.max_batch, "Samples per request; more get 413");
  serve_cmd->add_option("--max-body-mb", serve.max_body_mb, "Request body size; more get 413");
  serve_cmd->add_option("--max-sample-bytes", serve.max_sample_bytes,
                        "Longer samples get an error result");
  serve_cmd->add_option("--timeout-ms", serve.timeout_ms, "Default per-request deadline (504)");
  serve_cmd->add_option("--max-timeout-ms", serve.max_timeout_ms, "Cap on a requested deadline");
  serve_cmd->add_option("--token-env", serve.token_env,
                        "Require 'Authorization: Bearer $VAR' (all routes but /health)");
  serve_cmd->add_flag("-q,--quiet", serve.quiet, "No access log on stderr");

  merit::cli::ExplainArgs explain;
  CLI::App* explain_cmd =
      app.add_subcommand("explain", "Attribute each rollout's reward to its parts (Shapley)");
  explain_cmd->add_option("-c,--config", explain.config, "Reward config (YAML or JSON)")
      ->required();
  explain_cmd->add_option("-i,--input", explain.input, "Input JSONL file, or - for stdin");
  explain_cmd->add_option("-o,--output", explain.output, "Output JSONL file, or - for stdout");
  explain_cmd->add_option("--players", explain.players, "What the reward is attributed to")
      ->check(CLI::IsMember({"segments", "sub_sentences", "steps", "rubric", "paragraphs"}));
  explain_cmd->add_option("--method", explain.method, "exact, permutation, or auto (by size)")
      ->check(CLI::IsMember({"auto", "exact", "permutation"}));
  explain_cmd->add_option("--max-exact", explain.max_exact, "auto: exact up to this many players")
      ->check(CLI::Range(std::size_t{0}, std::size_t{20}));
  explain_cmd->add_option("--permutations", explain.permutations, "Sampled permutations (even)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  explain_cmd->add_option("--seed", explain.seed, "Seed of the permutation sampler");
  explain_cmd->add_option("--max-players", explain.max_players, "More players: an error line")
      ->check(CLI::Range(std::size_t{0}, std::size_t{64}));
  explain_cmd->add_option("--max-evaluations", explain.max_evaluations,
                          "More coalitions to score: an error line")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  explain_cmd->add_option("--rubric-absent", explain.rubric_absent,
                          "rubric: an absent item is unmet (weight kept) or dropped")
      ->check(CLI::IsMember({"unmet", "drop"}));
  explain_cmd->add_option("--min-words", explain.min_words, "sub_sentences: shortest clause")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  explain_cmd->add_option("-j,--threads", explain.threads, "Scoring threads (0: all cores)");
  explain_cmd->add_option("--batch-lines", explain.batch_lines, "Lines explained together")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  explain_cmd->add_option("--max-line-bytes", explain.max_line_bytes,
                          "Longer input lines become error lines");
  explain_cmd->add_flag("-q,--quiet", explain.quiet, "No summary on stderr");

  bool markdown = false;
  CLI::App* list_cmd = app.add_subcommand("list", "List rewards, aggregators and estimators");
  list_cmd->add_flag("--markdown", markdown, "Markdown table (the README's reward table)");

  std::string describe_name;
  CLI::App* describe_cmd = app.add_subcommand("describe", "Document one reward and its options");
  describe_cmd->add_option("name", describe_name, "Registry name, e.g. match.exact")->required();

  std::string validate_config;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a config without scoring");
  validate_cmd->add_option("config", validate_config, "Config file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (score_cmd->parsed()) {
      return merit::cli::RunScore(score);
    }
    if (explain_cmd->parsed()) {
      return merit::cli::RunExplain(explain);
    }
    if (serve_cmd->parsed()) {
      return merit::cli::RunServe(serve);
    }
    if (list_cmd->parsed()) {
      return merit::cli::RunList(markdown);
    }
    if (describe_cmd->parsed()) {
      return merit::cli::RunDescribe(describe_name);
    }
    if (validate_cmd->parsed()) {
      return merit::cli::RunValidate(validate_config);
    }
  } catch (const std::exception& e) {
    // The wall of B4: nothing in merit throws, but the standard library may (bad_alloc).
    std::fprintf(stderr, "merit: internal error: %s\n", e.what());
    return 1;
  }
  return 2;
}

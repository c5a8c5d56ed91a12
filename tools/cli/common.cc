#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "io/jsonl_stream.h"
#include "io/line_scorer.h"

namespace merit::cli {

int ReportError(const Status& status) {
  std::fprintf(stderr, "merit: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
      return 2;
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded:
      return 3;
    case StatusCode::kCancelled:
      return 130;
    default:
      return 1;
  }
}

void FileCloser::operator()(std::FILE* f) const {
  if (f != nullptr && f != stdin && f != stdout) {
    std::fclose(f);
  }
}

StatusOr<File> OpenFile(const std::string& path, const char* mode, std::FILE* dash) {
  if (path == "-") {
    return File(dash);
  }
  std::FILE* f = std::fopen(path.c_str(), mode);
  if (f == nullptr) {
    return NotFoundError(fmt::format("{}: cannot open", path));
  }
  return File(f);
}

StatusOr<bool> ReadLines(internal::LineReader& reader, const std::string& input,
                         std::size_t max_lines, internal::LineBatch& batch,
                         std::size_t& line_number) {
  for (std::size_t added = 0; added < max_lines; ++added) {
    internal::LineReader::Line line;
    StatusOr<bool> got = reader.Next(line);
    if (!got.ok()) {
      return got.status().WithPrefix(input);
    }
    if (!*got) {
      return true;
    }
    batch.Add(line.text, ++line_number, line.truncated);
  }
  return false;
}

}  // namespace merit::cli

// LineReader: reads '\n'-separated lines from a file descriptor in bounded memory. A line longer
// than the limit is returned truncated (flagged) and the rest of it is skipped, so one 64 MiB
// line costs no more memory than the limit.
#ifndef MERIT_IO_JSONL_STREAM_H_
#define MERIT_IO_JSONL_STREAM_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "merit/status.h"

namespace merit::internal {

class LineReader {
 public:
  LineReader(std::FILE* file, std::size_t max_line_bytes);

  struct Line {
    std::string_view text;  // Valid until the next call.
    bool truncated = false;
  };

  // Returns false at end of input; a final line without '\n' is still returned.
  // Errors: kInternal on a read error.
  StatusOr<bool> Next(Line& line);

  // Bytes of input consumed so far (for progress and ETA).
  std::uint64_t bytes_consumed() const { return bytes_read_ - (end_ - begin_); }

 private:
  bool Fill();

  std::FILE* file_;
  const std::size_t max_line_bytes_;
  std::string buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::uint64_t bytes_read_ = 0;
  std::string line_;  // Holds a line that spans buffer refills.
};

}  // namespace merit::internal

#endif  // MERIT_IO_JSONL_STREAM_H_

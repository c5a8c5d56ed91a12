#include "io/jsonl_stream.h"

#include <cstring>

namespace merit::internal {

namespace {
constexpr std::size_t kBufferBytes = 1 << 20;
}  // namespace

LineReader::LineReader(std::FILE* file, std::size_t max_line_bytes)
    : file_(file), max_line_bytes_(max_line_bytes), buffer_(kBufferBytes, '\0') {}

bool LineReader::Fill() {
  if (eof_) {
    return false;
  }
  begin_ = 0;
  end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
  bytes_read_ += end_;
  if (end_ == 0) {
    eof_ = true;
  }
  return end_ > 0;
}

StatusOr<bool> LineReader::Next(Line& line) {
  line_.clear();
  bool truncated = false;
  bool any = false;
  while (true) {
    if (begin_ == end_ && !Fill()) {
      if (std::ferror(file_)) {
        return InternalError("read error on input");
      }
      if (!any) {
        return false;
      }
      line.text = line_;
      line.truncated = truncated;
      return true;
    }
    any = true;
    const char* start = buffer_.data() + begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    const std::size_t length = newline ? static_cast<std::size_t>(newline - start) : end_ - begin_;
    // Fast path: the whole line sits in the buffer and nothing was carried over.
    if (newline != nullptr && line_.empty() && !truncated && length <= max_line_bytes_) {
      begin_ += length + 1;
      line.text = std::string_view(start, length);
      line.truncated = false;
      return true;
    }
    const std::size_t room = max_line_bytes_ > line_.size() ? max_line_bytes_ - line_.size() : 0;
    if (length > room) {
      truncated = true;
    }
    if (!truncated) {
      line_.append(start, length);
    }
    begin_ += length;
    if (newline != nullptr) {
      ++begin_;
      line.text = line_;
      line.truncated = truncated;
      return true;
    }
  }
}

}  // namespace merit::internal

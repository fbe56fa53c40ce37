// ByteView: a non-owning view of bytes (like leveldb's Slice).
//
// Contract: a ByteView never owns memory. Whoever hands one out states how long
// the bytes stay valid (usually "until the next call on the producing object").
// Copy the bytes (ToString / ToVector) to keep them longer.
#ifndef SSTABLEFS_READER_BYTE_VIEW_H_
#define SSTABLEFS_READER_BYTE_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sstablefs::reader {

class ByteView {
 public:
  constexpr ByteView() = default;
  constexpr ByteView(const uint8_t* data, size_t size)
      : data_(data), size_(size) {}
  ByteView(const char* data, size_t size)
      : data_(reinterpret_cast<const uint8_t*>(data)), size_(size) {}
  ByteView(std::string_view s)  // NOLINT: implicit, views text as bytes
      : ByteView(s.data(), s.size()) {}
  ByteView(const std::vector<uint8_t>& v)  // NOLINT
      : data_(v.data()), size_(v.size()) {}

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uint8_t* begin() const { return data_; }
  const uint8_t* end() const { return data_ + size_; }
  // REQUIRES: i < size().
  uint8_t operator[](size_t i) const { return data_[i]; }

  // REQUIRES: pos <= size(). `len` is clamped to what remains.
  ByteView substr(size_t pos, size_t len = SIZE_MAX) const {
    size_t n = size_ - pos;
    return ByteView(data_ + pos, len < n ? len : n);
  }

  std::string_view AsStringView() const {
    return std::string_view(reinterpret_cast<const char*>(data_), size_);
  }
  std::string ToString() const { return std::string(AsStringView()); }
  std::vector<uint8_t> ToVector() const {
    return std::vector<uint8_t>(data_, data_ + size_);
  }

  // Unsigned lexicographic comparison (memcmp order, shorter prefix first),
  // the order Cassandra's ByteBufferUtil.compareUnsigned uses.
  int Compare(ByteView other) const {
    size_t n = size_ < other.size_ ? size_ : other.size_;
    int c = n == 0 ? 0 : std::memcmp(data_, other.data_, n);
    if (c != 0) return c;
    return size_ < other.size_ ? -1 : (size_ > other.size_ ? 1 : 0);
  }
  friend bool operator==(ByteView a, ByteView b) {
    return a.size_ == b.size_ &&
           (a.size_ == 0 || std::memcmp(a.data_, b.data_, a.size_) == 0);
  }

  // Lower-case hex without prefix, e.g. "00ff".
  std::string ToHex() const;

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sstablefs::reader

#endif  // SSTABLEFS_READER_BYTE_VIEW_H_

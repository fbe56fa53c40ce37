#include <memory>
#include <string>

#include "reader/data_input.h"

namespace sstablefs::reader {
namespace {

class MemoryDataInput final : public DataInput {
 public:
  MemoryDataInput(std::string data, std::string path)
      : data_(std::move(data)), path_(std::move(path)) {}

  uint64_t size() const override { return data_.size(); }
  uint64_t position() const override { return pos_; }
  Status Seek(uint64_t pos) override {
    if (pos > data_.size()) {
      return Status::Corruption(path_, pos, "seek past end of data");
    }
    pos_ = pos;
    return Status::Ok();
  }
  Result<ByteView> Peek(size_t /*n*/) override {
    return ByteView(data_).substr(pos_);
  }
  Status Skip(size_t n) override {
    if (data_.size() - pos_ < n) {
      return Status::Corruption(path_, pos_, "unexpected end of data");
    }
    pos_ += n;
    return Status::Ok();
  }
  const std::string& path() const override { return path_; }

 private:
  std::string data_;
  std::string path_;
  uint64_t pos_ = 0;
};

}  // namespace

std::unique_ptr<DataInput> NewMemoryDataInput(std::string data,
                                              std::string path) {
  return std::make_unique<MemoryDataInput>(std::move(data), std::move(path));
}

}  // namespace sstablefs::reader

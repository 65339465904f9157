#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// Little-endian fixed-width fields, varints and length-prefixed strings: the
// event store's records (storage_format.h) and the views' binary rows
// (projections/review_queue.cc, assessment_facts.cc) are written with these.
// Fixed widths keep decoding a few comparisons and copies; varints keep rows
// of many small numbers short.
namespace kuimen {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(std::uint32_t v) { Fixed(v, 4); }
  void U64(std::uint64_t v) { Fixed(v, 8); }
  void I64(std::int64_t v) { Fixed(static_cast<std::uint64_t>(v), 8); }
  // The IEEE-754 bits: the same value always gives the same bytes.
  void F64(double v) { U64(std::bit_cast<std::uint64_t>(v)); }
  void Bytes(const void* data, std::size_t size) { out_.append(static_cast<const char*>(data), size); }
  // u32 length, then the bytes.
  void Str(std::string_view s) {
    U32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  // LEB128: 7 bits a byte, low bits first.
  void Varint(std::uint64_t v) {
    while (v >= 0x80) {
      U8(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    U8(static_cast<std::uint8_t>(v));
  }
  // Zigzag, then Varint: small negative numbers stay short too.
  void SignedVarint(std::int64_t v) {
    Varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  // Varint length, then the bytes.
  void VarStr(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }

 private:
  void Fixed(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  std::string& out_;
};

// Each read returns false, consuming nothing more, when the bytes run out.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool U8(std::uint8_t& v) {
    if (!Need(1)) return false;
    v = static_cast<std::uint8_t>(in_[pos_++]);
    return true;
  }
  bool U32(std::uint32_t& v) {
    std::uint64_t wide = 0;
    if (!Fixed(wide, 4)) return false;
    v = static_cast<std::uint32_t>(wide);
    return true;
  }
  bool U64(std::uint64_t& v) { return Fixed(v, 8); }
  bool I64(std::int64_t& v) {
    std::uint64_t bits = 0;
    if (!Fixed(bits, 8)) return false;
    v = static_cast<std::int64_t>(bits);
    return true;
  }
  bool F64(double& v) {
    std::uint64_t bits = 0;
    if (!Fixed(bits, 8)) return false;
    v = std::bit_cast<double>(bits);
    return true;
  }
  bool Bytes(void* out, std::size_t size) {
    if (!Need(size)) return false;
    std::memcpy(out, in_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  bool Str(std::string& s) {
    std::string_view view;
    if (!StrView(view)) return false;
    s.assign(view);
    return true;
  }
  // The string's bytes in place (valid while the input is).
  bool StrView(std::string_view& s) {
    std::uint32_t size = 0;
    if (!U32(size) || !Need(size)) return false;
    s = in_.substr(pos_, size);
    pos_ += size;
    return true;
  }
  // Fails on bytes that end early or a number longer than 64 bits.
  bool Varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b = 0;
      if (!U8(b)) return false;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool SignedVarint(std::int64_t& v) {
    std::uint64_t zigzag = 0;
    if (!Varint(zigzag)) return false;
    v = static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
    return true;
  }
  bool VarStrView(std::string_view& s) {
    std::uint64_t size = 0;
    if (!Varint(size) || !Need(size)) return false;
    s = in_.substr(pos_, size);
    pos_ += size;
    return true;
  }
  std::size_t Remaining() const { return in_.size() - pos_; }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  bool Need(std::size_t n) const { return in_.size() - pos_ >= n; }
  bool Fixed(std::uint64_t& v, int width) {
    if (!Need(static_cast<std::size_t>(width))) return false;
    v = 0;
    for (int i = 0; i < width; ++i) {
      v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
    }
    pos_ += static_cast<std::size_t>(width);
    return true;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace kuimen

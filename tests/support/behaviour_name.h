#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace kuimen::testing {

// A table row's behaviour ("unrelated unit may not report") as a gtest name
// ("unrelated_unit_may_not_report").
inline std::string BehaviourName(std::string_view behaviour) {
  std::string name;
  for (char c : behaviour) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

// The name generator for INSTANTIATE_TEST_SUITE_P over rows with a `behaviour` field.
struct ByBehaviour {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    return BehaviourName(info.param.behaviour);
  }
};

}  // namespace kuimen::testing

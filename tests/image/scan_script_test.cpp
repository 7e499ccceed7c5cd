#include "image/scan_script.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace glimpse::image::detail {
namespace {

// Checks `script` as libjpeg's validate_script does, and more strictly: every
// bit of every coefficient of every component is sent exactly once. Returns
// "" when valid, else what is wrong.
std::string check_progression(const std::vector<ScanSpec>& script, int num_components) {
  // bits[c][k]: lowest bit sent so far for coefficient k of component c; -1: none.
  std::vector<std::vector<int>> bits(num_components, std::vector<int>(64, -1));
  for (size_t i = 0; i < script.size(); ++i) {
    const ScanSpec& s = script[i];
    const std::string at = "scan " + std::to_string(i) + ": ";
    if (s.num_components < 1 || s.num_components > 4) return at + "bad component count";
    for (int j = 0; j < s.num_components; ++j) {
      const int c = s.components[j];
      if (c < 0 || c >= num_components) return at + "component out of range";
      if (j > 0 && c <= s.components[j - 1]) return at + "components not ascending";
    }
    if (s.ss < 0 || s.se > 63 || s.ss > s.se) return at + "bad spectral range";
    if (s.al < 0 || s.al > 13 || s.ah < 0 || s.ah > 13) return at + "bad Ah/Al";
    if (s.ss == 0 && s.se != 0) return at + "DC scan with AC coefficients";
    if (s.ss > 0 && s.num_components != 1) return at + "AC scan with several components";
    if (s.ah != 0 && s.al != s.ah - 1) return at + "refinement not by exactly one bit";
    for (int j = 0; j < s.num_components; ++j) {
      auto& b = bits[s.components[j]];
      if (s.ss > 0 && b[0] < 0) return at + "AC before DC";
      for (int k = s.ss; k <= s.se; ++k) {
        if (s.ah == 0 && b[k] >= 0) return at + "coefficient " + std::to_string(k) + " sent twice";
        if (s.ah != 0 && b[k] != s.ah) return at + "Ah does not match the previous Al";
        b[k] = s.al;
      }
    }
  }
  for (int c = 0; c < num_components; ++c)
    for (int k = 0; k < 64; ++k)
      if (bits[c][k] != 0)
        return "component " + std::to_string(c) + " coefficient " + std::to_string(k) +
               " not complete";
  return "";
}

ScanSpec spec(std::vector<int> comps, int ss, int se, int ah, int al) {
  ScanSpec s{};
  for (int c : comps) s.components[s.num_components++] = c;
  s.ss = ss;
  s.se = se;
  s.ah = ah;
  s.al = al;
  return s;
}

class EveryScript : public ::testing::TestWithParam<std::tuple<ScanScriptKind, int>> {};

TEST_P(EveryScript, SendsEveryBitExactlyOnceInAValidOrder) {
  const auto [kind, components] = GetParam();
  EXPECT_EQ(check_progression(scan_script(kind, components), components), "");
}

TEST_P(EveryScript, StartsWithOneInterleavedDcScan) {
  const auto [kind, components] = GetParam();
  const auto script = scan_script(kind, components);
  ASSERT_FALSE(script.empty());
  EXPECT_EQ(script[0].ss, 0);
  EXPECT_EQ(script[0].se, 0);
  EXPECT_EQ(script[0].ah, 0);
  EXPECT_EQ(script[0].num_components, components);
}

TEST_P(EveryScript, FitsLibjpegLimits) {
  const auto [kind, components] = GetParam();
  const auto script = scan_script(kind, components);
  EXPECT_LE(script.size(), 100u);                        // decode_prefix's default max_scans guard
  for (const ScanSpec& s : script) EXPECT_LE(s.al, 10);  // 8-bit JPEG: Al <= 10 (libjpeg)
}

INSTANTIATE_TEST_SUITE_P(BothKinds, EveryScript,
                         ::testing::Combine(::testing::Values(ScanScriptKind::glimpse,
                                                              ScanScriptKind::libjpeg_default),
                                            ::testing::Values(1, 3)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) == ScanScriptKind::glimpse
                                                  ? "glimpse"
                                                  : "libjpeg_default") +
                                  "_" + std::to_string(std::get<1>(info.param)) + "_components";
                         });

TEST(ScanScript, DefaultKindIsLibjpegSimpleProgression) {
  // jcparam.c jpeg_simple_progression() for YCbCr: 10 scans, DC at Al=1 first.
  const auto script = scan_script(ScanScriptKind::libjpeg_default, 3);
  ASSERT_EQ(script.size(), 10u);
  EXPECT_EQ(script[1].ss, 1);
  EXPECT_EQ(script[1].se, 5);
  EXPECT_EQ(script[1].al, 2);
  EXPECT_EQ(scan_script(ScanScriptKind::libjpeg_default, 1).size(), 6u);
}

TEST(ScanScript, GlimpseSendsLowFrequencyLumaBeforeAnyChromaAc) {
  const auto script = scan_script(ScanScriptKind::glimpse, 3);
  size_t first_luma_ac = script.size(), first_chroma_ac = script.size();
  for (size_t i = 0; i < script.size(); ++i) {
    if (script[i].ss == 0) continue;
    if (script[i].components[0] == 0 && first_luma_ac == script.size()) first_luma_ac = i;
    if (script[i].components[0] != 0 && first_chroma_ac == script.size()) first_chroma_ac = i;
  }
  EXPECT_LT(first_luma_ac, first_chroma_ac);
  EXPECT_EQ(script[first_luma_ac].ss, 1);
}

// The checker itself must catch each kind of broken script.
TEST(CheckProgression, RejectsBrokenScripts) {
  const std::vector<ScanSpec> good = {spec({0}, 0, 0, 0, 1), spec({0}, 1, 63, 0, 1),
                                      spec({0}, 0, 0, 1, 0), spec({0}, 1, 63, 1, 0)};
  ASSERT_EQ(check_progression(good, 1), "");

  auto broken = [&](size_t i, ScanSpec s) {
    auto v = good;
    v[i] = s;
    return check_progression(v, 1);
  };
  EXPECT_NE(broken(1, spec({0}, 1, 62, 0, 1)), "");  // coefficient 63 never refined... nor sent
  EXPECT_NE(broken(3, spec({0}, 1, 63, 2, 1)), "");  // Ah mismatch
  EXPECT_NE(broken(2, spec({0}, 1, 63, 0, 0)), "");  // AC sent twice
  EXPECT_NE(check_progression({good[1], good[0], good[2], good[3]}, 1), "");  // AC before DC
  EXPECT_NE(check_progression(
                {spec({0, 1}, 0, 0, 0, 0), spec({0, 1}, 1, 63, 0, 0), spec({0}, 1, 63, 0, 0)}, 2),
            "");  // multi-component AC
  EXPECT_NE(
      check_progression({spec({0}, 0, 0, 0, 2), spec({0}, 0, 0, 2, 0), spec({0}, 1, 63, 0, 0)}, 1),
      "");  // refinement by two bits
  EXPECT_NE(check_progression({spec({0}, 0, 0, 0, 1), spec({0}, 1, 63, 0, 0)}, 1),
            "");  // DC bit 0 missing
}

}  // namespace
}  // namespace glimpse::image::detail

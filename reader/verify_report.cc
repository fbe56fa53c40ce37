// Rendering of verification reports: SPEC §6 lines, the summary line, the
// mount's verify.txt and the `verify --json` document.
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "reader/verifier.h"

namespace sstablefs::reader {
namespace {

std::string HumanBytes(uint64_t n) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  if (n < 1024) return std::to_string(n) + " bytes";
  double v = static_cast<double>(n);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string Plural(uint64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

nlohmann::json FindingJson(const Finding& f) {
  nlohmann::json j;
  j["severity"] = SeverityName(f.severity);
  j["check"] = f.check;
  j["file"] = f.file;
  j["component"] =
      f.component.empty() ? nlohmann::json() : nlohmann::json(f.component);
  j["offset"] = f.offset ? nlohmann::json(*f.offset) : nlohmann::json();
  j["reason"] = f.reason;
  j["io_error"] = f.io_error;
  j["message"] = FormatFinding(f);
  return j;
}

nlohmann::json SSTableJson(const SSTableReport& r) {
  nlohmann::json j;
  j["name"] = r.name;
  j["directory"] = r.descriptor.directory;
  j["version"] = r.descriptor.version.str();
  j["format"] = r.descriptor.format;
  j["generation"] = r.descriptor.generation;
  j["supported"] = r.supported;
  j["bytes"] = r.bytes;
  j["verdict"] =
      r.HasErrors() ? "damaged" : (r.supported ? "ok" : "not checked");
  j["partitions"] = r.partitions;
  j["rows"] = r.rows;
  j["range_tombstone_markers"] = r.markers;
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& c : r.checks) {
    checks.push_back({{"check", c.name},
                      {"result", CheckOutcomeName(c.outcome)},
                      {"detail", c.detail}});
  }
  j["checks"] = std::move(checks);
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& f : r.findings) findings.push_back(FindingJson(f));
  j["findings"] = std::move(findings);
  return j;
}

}  // namespace

std::string FormatFinding(const Finding& f) {
  std::string out = "sstablefs: ";
  out += f.file.empty() ? std::string("?") : f.file;
  out += ": ";
  if (f.severity != Severity::kError) {
    out += SeverityName(f.severity);
    out += ": ";
  }
  out += f.reason;
  return out;
}

std::string FormatSummary(const VerifyReport& r) {
  const uint64_t total = r.SSTableCount();
  const uint64_t checked = r.CheckedSSTableCount();
  std::string out = "sstablefs: verify " + r.source + ": " +
                    Plural(checked, "SSTable") + " checked";
  if (total > checked) {
    out += " (" + std::to_string(total - checked) +
           " not checked: unsupported format)";
  }
  out += r.quick ? ", quick" : "";
  out += ", " + HumanBytes(r.Bytes()) + "; " +
         Plural(r.Count(Severity::kError), "problem") + ", " +
         Plural(r.Count(Severity::kWarning), "warning") + ", " +
         Plural(r.Count(Severity::kNote), "note") + ": ";
  switch (r.ExitCode()) {
    case 0:
      out += "ok";
      break;
    case 1:
      out += "DAMAGE FOUND";
      break;
    default:
      out += "INCOMPLETE (I/O errors)";
      break;
  }
  return out;
}

std::string FormatSSTableVerdict(const SSTableReport& r) {
  std::string out = "sstable: " + r.name + " (" + r.descriptor.version.str() +
                    ", " + r.descriptor.format + ")\n";
  for (const CheckResult& c : r.checks) {
    out += c.name + ": " + CheckOutcomeName(c.outcome);
    if (!c.detail.empty()) out += " (" + c.detail + ")";
    out += "\n";
  }
  for (const Finding& f : r.findings) out += FormatFinding(f) + "\n";
  out += "verdict: ";
  out += r.HasErrors() ? "DAMAGED" : (r.supported ? "ok" : "not checked");
  out += "\n";
  return out;
}

std::string ReportToJson(const VerifyReport& r) {
  nlohmann::json j;
  j["source"] = r.source;
  j["kind"] = SourceKindName(r.kind);
  j["quick"] = r.quick;
  const int code = r.ExitCode();
  j["summary"] = {
      {"sstables", r.SSTableCount()},
      {"checked", r.CheckedSSTableCount()},
      {"not_checked", r.SSTableCount() - r.CheckedSSTableCount()},
      {"bytes", r.Bytes()},
      {"errors", r.Count(Severity::kError)},
      {"warnings", r.Count(Severity::kWarning)},
      {"notes", r.Count(Severity::kNote)},
      {"exit_code", code},
      {"verdict", code == 0 ? "ok" : (code == 1 ? "damaged" : "incomplete")}};
  nlohmann::json folders = nlohmann::json::array();
  for (const FolderReport& f : r.folders) {
    nlohmann::json fj;
    fj["directory"] = f.directory;
    fj["kind"] = f.kind;
    nlohmann::json findings = nlohmann::json::array();
    for (const Finding& x : f.findings) findings.push_back(FindingJson(x));
    fj["findings"] = std::move(findings);
    nlohmann::json sstables = nlohmann::json::array();
    for (const SSTableReport& s : f.sstables)
      sstables.push_back(SSTableJson(s));
    fj["sstables"] = std::move(sstables);
    folders.push_back(std::move(fj));
  }
  j["folders"] = std::move(folders);
  // Invalid UTF-8 in names or keys must not abort the dump.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sstablefs::reader

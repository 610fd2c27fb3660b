// Collecting a sweep: every run's status and time series at the collect days, one row per run,
// into DIR/summary.csv and DIR/summary.h5.
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "h5util.hpp"
#include "mnsim/core/errors.hpp"
#include "mnsim/protocol/schedule.hpp"
#include "mnsim/sim/observables.hpp"
#include "mnsim/sweep/sweep.hpp"
#include "mnsim/version.hpp"

namespace fs = std::filesystem;

namespace mnsim::sweep {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Row {
  std::string status;
  std::vector<std::string> varied;     // one per [vary] key, as a number in the key's unit or a choice
  std::vector<double> varied_numbers;  // the same as numbers (NaN for a choice)
  std::vector<double> outcomes;        // one per column
};

std::string number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

// Reads a run's time series and the status it ended with, judged against the planned configuration.
Row read_row(const Spec& spec, const PlannedRun& r, const std::vector<std::string>& series) {
  Row row;
  const Config c = Config::from_text(r.ini, r.dir);
  for (std::size_t d = 0; d < spec.vary.size(); ++d) {
    const ParamSpec* s = find_spec(spec.vary[d].key);
    const bool numeric = s && s->kind != ParamKind::Choice;
    row.varied.push_back(numeric ? number(c.real(s->key)) : r.run.values[d]);
    row.varied_numbers.push_back(numeric ? c.real(s->key) : kNaN);
  }
  const std::size_t columns = series.size() * (spec.days.size() + spec.after_last.size());
  row.outcomes.assign(columns, kNaN);

  const std::string file = (fs::path(r.dir) / "run.h5").string();
  const std::string log = "see runs/" + r.run.id + "/log.txt";
  if (!fs::exists(file)) {
    row.status = "missing";
    return row;
  }
  const h5::File f = h5::open_readonly(file);
  if (f.id < 0 || H5Aexists(f.id, "status") <= 0 || H5Aexists(f.id, "config") <= 0) {
    row.status = "failed: run.h5 is unreadable (" + log + ")";
    return row;
  }
  if (h5::get_text(f.id, "config") != r.ini) {
    row.status = "stale: run.h5 was made with another configuration (run the sweep again)";
    return row;
  }
  row.status = h5::get_text(f.id, "status");
  if (row.status == "running") row.status = "failed: ended without a final status, killed? (" + log + ")";
  if (H5Lexists(f.id, "timeseries", H5P_DEFAULT) <= 0) return row;

  Timeseries ts;
  ts.time = h5::read_vector(f.id, "timeseries/time");
  if (ts.time.empty()) return row;
  for (const auto& name : series) {
    const std::string region = "timeseries/" + name.substr(0, name.find('/')), path = "timeseries/" + name;
    if (H5Lexists(f.id, region.c_str(), H5P_DEFAULT) <= 0 || H5Lexists(f.id, path.c_str(), H5P_DEFAULT) <= 0) continue;
    ts.names.push_back(name);
    ts.values.push_back(h5::read_vector(f.id, path.c_str()));
  }
  const auto sessions = build_schedule(c);
  const double last_session = sessions.empty() ? kNaN : sessions.back().day;
  // A run that stopped early has no value at the days it never reached.
  const double reached = ts.time.back() * (1 + 1e-12);
  auto value = [&](const std::string& name, double day) {
    const bool have = std::find(ts.names.begin(), ts.names.end(), name) != ts.names.end();
    return have && day <= reached ? ts.at(name, day) : kNaN;
  };
  std::size_t k = 0;
  for (const auto& name : series) {
    for (double d : spec.days) row.outcomes[k++] = value(name, d);
    for (double d : spec.after_last) row.outcomes[k++] = std::isnan(last_session) ? kNaN : value(name, last_session + d);
  }
  return row;
}

void write_csv(const std::string& path, const std::vector<std::string>& header, const std::vector<PlannedRun>& runs,
               const std::vector<Row>& rows) {
  std::ofstream out(path);
  for (std::size_t j = 0; j < header.size(); ++j) out << (j ? "," : "") << csv_field(header[j]);
  out << "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out << runs[i].run.id;
    for (const auto& v : rows[i].varied) out << "," << csv_field(v);
    out << "," << csv_field(rows[i].status);
    for (double v : rows[i].outcomes) out << "," << number(v);
    out << "\n";
  }
  if (!out) throw IoError("sweep: cannot write " + path);
}

void write_h5(const std::string& path, const Spec& spec, const std::vector<std::string>& outcome_names,
              const std::vector<std::string>& outcome_units, const std::vector<PlannedRun>& runs,
              const std::vector<Row>& rows) {
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  const h5::File file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT));
  H5Pclose(fcpl);
  if (file.id < 0) throw IoError("sweep: cannot create " + path);
  const hid_t f = file.id;
  h5::set_text(f, "spec", spec.text);
  h5::set_text(f, "spec_path", spec.path);
  h5::set_text(f, "base", spec.base_path);
  h5::set_text(f, "mode", spec.mode);
  h5::set_text(f, "software_version", build::version);
  h5::set_text(f, "git_hash", build::git_hash);

  std::vector<std::string> ids, status;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ids.push_back(runs[i].run.id);
    status.push_back(rows[i].status);
  }
  h5::write_strings(f, "id", ids);
  for (std::size_t d = 0; d < spec.vary.size(); ++d) {
    const std::string& key = spec.vary[d].key;
    const ParamSpec* s = find_spec(key);
    if (s && s->kind != ParamKind::Choice) {
      std::vector<double> v;
      for (const auto& row : rows) v.push_back(row.varied_numbers[d]);
      H5Dclose(h5::write_vector(f, key.c_str(), v, *s->unit ? s->unit : "1"));
    } else {
      std::vector<std::string> v;
      for (const auto& row : rows) v.push_back(row.varied[d]);
      h5::write_strings(f, key.c_str(), v);
    }
  }
  h5::write_strings(f, "status", status);
  for (std::size_t j = 0; j < outcome_names.size(); ++j) {
    std::vector<double> v;
    for (const auto& row : rows) v.push_back(row.outcomes[j]);
    H5Dclose(h5::write_vector(f, outcome_names[j].c_str(), v, outcome_units[j].c_str()));
  }
}

}  // namespace

std::size_t Sweep::collect() const {
  std::vector<std::string> header = {"id"}, names, units;
  for (const auto& a : spec_.vary) header.push_back(a.key);
  header.push_back("status");
  for (std::size_t s = 0; s < series_.size(); ++s) {
    std::string dotted = series_[s];
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    for (double d : spec_.days) names.push_back(dotted + "@" + day_label(d));
    for (double d : spec_.after_last) names.push_back(dotted + "@last+" + day_label(d));
    units.resize(names.size(), units_[s]);
  }
  header.insert(header.end(), names.begin(), names.end());

  std::vector<Row> rows;
  std::size_t complete = 0;
  for (const auto& r : runs_) {
    rows.push_back(read_row(spec_, r, series_));
    complete += rows.back().status == "complete";
  }
  // Written beside the final names and renamed over them, so a reader never sees half a table.
  const fs::path dir(dir_);
  std::error_code ec;
  fs::create_directories(dir, ec);
  write_csv((dir / "summary.csv.tmp").string(), header, runs_, rows);
  write_h5((dir / "summary.h5.tmp").string(), spec_, names, units, runs_, rows);
  fs::rename(dir / "summary.csv.tmp", dir / "summary.csv");
  fs::rename(dir / "summary.h5.tmp", dir / "summary.h5");
  return complete;
}

}  // namespace mnsim::sweep

// Checkpoint and restart of a Simulation: everything the run loop needs to continue bitwise.
#include <filesystem>
#include <sstream>

#include "h5util.hpp"
#include "mnsim/core/errors.hpp"
#include "mnsim/sim/simulation.hpp"

namespace mnsim {

namespace {

template <class Vector>
void write_array(hid_t parent, const char* name, const Vector& v) {
  H5Dclose(h5::write_vector(parent, name, v, "1"));
}

std::vector<double> read_array(hid_t parent, const char* name, std::size_t expect, const std::string& path) {
  std::vector<double> v = h5::read_vector(parent, name);
  if (v.size() != expect)
    throw IoError("restart: " + path + ": dataset " + name + " has " + std::to_string(v.size()) + " values, expected " +
                  std::to_string(expect));
  return v;
}

using h5::File;

File open_checkpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) throw ConfigError("restart: checkpoint '" + path + "' does not exist");
  hid_t id = -1;
  H5E_BEGIN_TRY { id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  File f(id);
  if (id < 0 || H5Aexists(id, "kind") <= 0 || h5::get_text(id, "kind") != "mnsim checkpoint")
    throw ConfigError("restart: '" + path + "' is not an mnsim checkpoint");
  return f;
}

}  // namespace

void Simulation::save_checkpoint(const std::string& path, const std::string& config_ini, long snapshots) const {
  const std::string tmp = path + ".tmp";
  hid_t f = H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) throw IoError("checkpoint: cannot create '" + tmp + "'");
  h5::set_text(f, "kind", "mnsim checkpoint");
  h5::set_text(f, "config", config_ini);
  h5::set_double(f, "day", t_);
  h5::set_long(f, "next_session", static_cast<long long>(next_session_));
  h5::set_long(f, "next_output", next_output_);
  h5::set_long(f, "snapshots", snapshots);
  h5::set_double(f, "thickening", thickening_);
  h5::set_double(f, "controller_dt", controller_->dt_);
  h5::set_double(f, "controller_h_prev", controller_->h_prev_);
  h5::set_long(f, "controller_have_history", controller_->have_history_ ? 1 : 0);
  h5::set_long(f, "steps", stats_.steps);
  h5::set_double(f, "min_step", stats_.min_step);
  h5::set_double(f, "max_step", stats_.max_step);
  h5::set_long(f, "chemotaxis_substeps", stats_.chemotaxis_substeps);
  h5::set_long(f, "cells", static_cast<long long>(grid_.size()));

  hid_t st = h5::make_group(f, "state");
  hid_t hi = h5::make_group(f, "history");
  for (int i = 0; i < kNumFields; ++i) write_array(st, field_info(i).name, state_.f[i]);
  write_array(hi, "prev_total", controller_->prev_total_);
  write_array(hi, "prev_delta", controller_->prev_delta_);
  H5Gclose(st);
  H5Gclose(hi);

  hid_t se = h5::make_group(f, "series");
  write_array(se, "time", series_.time);
  for (std::size_t i = 0; i < series_.values.size(); ++i) write_array(se, ("v" + std::to_string(i)).c_str(), series_.values[i]);
  H5Gclose(se);

  hid_t re = h5::make_group(f, "sessions");
  std::vector<double> day, length, density, punctures, depth, radius, site_x, site_y;
  std::string devices;
  for (const auto& r : records_) {
    day.push_back(r.day);
    length.push_back(r.needle_length);
    density.push_back(r.density);
    punctures.push_back(static_cast<double>(r.punctures));
    depth.push_back(r.depth);
    radius.push_back(r.radius);
    for (const Puncture& p : r.sites) {
      site_x.push_back(p.x);
      site_y.push_back(p.y);
    }
    devices += r.device + "\n";
  }
  write_array(re, "day", day);
  write_array(re, "needle_length", length);
  write_array(re, "density", density);
  write_array(re, "punctures", punctures);
  write_array(re, "depth", depth);
  write_array(re, "radius", radius);
  write_array(re, "site_x", site_x);  // every session's sites in order; punctures[i] of them each in 2D/3D
  write_array(re, "site_y", site_y);
  h5::set_text(re, "devices", devices);
  H5Gclose(re);
  if (H5Fclose(f) < 0) throw IoError("checkpoint: cannot write '" + tmp + "'");
  // Atomic replacement: a reader (or a restart after a crash mid-write) sees the old or the new
  // checkpoint, never half of one.
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw IoError("checkpoint: cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
}

std::string Simulation::checkpoint_config(const std::string& path) {
  File f = open_checkpoint(path);
  return h5::get_text(f.id, "config");
}

long Simulation::load_checkpoint(const std::string& path) {
  File file = open_checkpoint(path);
  const hid_t f = file.id;
  if (h5::get_long(f, "cells") != static_cast<long long>(grid_.size()))
    throw ConfigError("restart: " + path + " holds a grid of " + std::to_string(h5::get_long(f, "cells")) +
                      " cells, the config one of " + std::to_string(grid_.size()));
  t_ = h5::get_double(f, "day");
  next_session_ = static_cast<std::size_t>(h5::get_long(f, "next_session"));
  next_output_ = static_cast<long>(h5::get_long(f, "next_output"));
  thickening_ = h5::get_double(f, "thickening");
  controller_->dt_ = h5::get_double(f, "controller_dt");
  controller_->h_prev_ = h5::get_double(f, "controller_h_prev");
  controller_->have_history_ = h5::get_long(f, "controller_have_history") != 0;
  stats_.steps = static_cast<long>(h5::get_long(f, "steps"));
  stats_.min_step = h5::get_double(f, "min_step");
  stats_.max_step = h5::get_double(f, "max_step");
  stats_.chemotaxis_substeps = static_cast<long>(h5::get_long(f, "chemotaxis_substeps"));
  started_ = true;

  hid_t st = H5Gopen2(f, "state", H5P_DEFAULT);
  hid_t hi = H5Gopen2(f, "history", H5P_DEFAULT);
  for (int i = 0; i < kNumFields; ++i) {
    const std::vector<double> v = read_array(st, field_info(i).name, grid_.size(), path);
    state_.f[i].assign(v.begin(), v.end());
  }
  controller_->prev_total_ = read_array(hi, "prev_total", controller_->prev_total_.size(), path);
  controller_->prev_delta_ = read_array(hi, "prev_delta", controller_->prev_delta_.size(), path);
  observables_->totals(state_, totals_);
  H5Gclose(st);
  H5Gclose(hi);

  hid_t se = H5Gopen2(f, "series", H5P_DEFAULT);
  series_.time = h5::read_vector(se, "time");
  series_.values.assign(series_.names.size(), {});
  for (std::size_t i = 0; i < series_.names.size(); ++i)
    series_.values[i] = read_array(se, ("v" + std::to_string(i)).c_str(), series_.time.size(), path);
  H5Gclose(se);

  hid_t re = H5Gopen2(f, "sessions", H5P_DEFAULT);
  const auto day = h5::read_vector(re, "day"), length = h5::read_vector(re, "needle_length");
  const auto density = h5::read_vector(re, "density"), punctures = h5::read_vector(re, "punctures");
  const auto depth = h5::read_vector(re, "depth"), radius = h5::read_vector(re, "radius");
  const auto site_x = h5::read_vector(re, "site_x"), site_y = h5::read_vector(re, "site_y");
  std::istringstream devices(h5::get_text(re, "devices"));
  records_.clear();
  std::size_t next_site = 0;
  for (std::size_t i = 0; i < day.size(); ++i) {
    SessionRecord r{day[i], "", length[i], density[i], static_cast<long>(punctures[i]), depth[i], radius[i], {}};
    std::getline(devices, r.device);
    const std::size_t n = grid_.nx > 1 ? static_cast<std::size_t>(r.punctures) : 0;
    if (next_site + n > site_x.size()) throw IoError("restart: " + path + ": puncture records are truncated");
    for (std::size_t k = 0; k < n; ++k, ++next_site) r.sites.push_back({site_x[next_site], site_y[next_site]});
    records_.push_back(std::move(r));
  }
  H5Gclose(re);
  return static_cast<long>(h5::get_long(f, "snapshots"));
}

}  // namespace mnsim

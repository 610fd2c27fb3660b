#include "sweep_report.hpp"

#include <cstdio>

#include "mnsim/core/errors.hpp"

namespace mnsim::sweep {

Report::Report(std::size_t todo, bool quiet, bool live) : todo_(todo), quiet_(quiet), live_(live && !quiet) {}

void Report::started() {
  std::lock_guard<std::mutex> lock(m_);
  ++running_;
  if (live_) draw_locked();
}

void Report::finished(const std::string& id, const RunResult& r, const std::string& where) {
  std::lock_guard<std::mutex> lock(m_);
  --running_;
  ++done_;
  const bool ok = r.exit_code == kExitOk;
  failed_ += !ok;
  if (live_) {
    draw_locked();
  } else if (!quiet_) {
    std::fprintf(stderr, "mnsim sweep: [%zu/%zu] %s %s%s in %.1f s%s%s\n", done_, todo_, id.c_str(),
                 ok ? "complete" : ("ended with exit " + std::to_string(r.exit_code) + " (see runs/" + id + "/log.txt)").c_str(),
                 r.resumed ? " (resumed from its checkpoint)" : "", r.seconds, where.empty() ? "" : " on ", where.c_str());
  }
}

void Report::redraw() {
  std::lock_guard<std::mutex> lock(m_);
  if (live_) draw_locked();
}

void Report::draw_locked() {
  const double wall = std::chrono::duration<double>(clock::now() - start_).count();
  const double eta = done_ > 0 ? wall * static_cast<double>(todo_ - done_) / done_ : 0;
  std::fprintf(stderr, "\rmnsim sweep: %zu/%zu runs done, %zu failed, %zu running  wall %.1f s  ETA %.0f s   ", done_,
               todo_, failed_, running_, wall, eta);
  std::fflush(stderr);
}

void Report::close() {
  std::lock_guard<std::mutex> lock(m_);
  if (live_) {
    draw_locked();
    std::fputc('\n', stderr);
  }
}

}  // namespace mnsim::sweep

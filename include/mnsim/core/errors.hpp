#pragma once
#include <stdexcept>
#include <string>

namespace mnsim {

// Exit codes are part of the public interface (INTERFACE.md): scripts branch on them.
enum ExitCode : int { kExitOk = 0, kExitBadInput = 2, kExitIo = 3, kExitNumerical = 4, kExitInterrupted = 5 };

// Typed errors are thrown anywhere and caught only in main, which prints the one-line message.
struct Error : std::runtime_error {
  int exit_code;
  Error(const std::string& msg, int code) : std::runtime_error(msg), exit_code(code) {}
};
struct ConfigError : Error {
  explicit ConfigError(const std::string& msg) : Error(msg, kExitBadInput) {}
};
struct IoError : Error {
  explicit IoError(const std::string& msg) : Error(msg, kExitIo) {}
};
struct NumericalError : Error {
  explicit NumericalError(const std::string& msg) : Error(msg, kExitNumerical) {}
};

}  // namespace mnsim

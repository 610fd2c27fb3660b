# Writes the version header with the commit the sources are at. Run at every build (target
# mnsim_version), so a binary never reports the commit of an older configure; configure_file
# leaves the header untouched when nothing changed, so nothing recompiles then.
# In: SRC (source dir), DST (header), PROJECT_VERSION, MNSIM_BUILD_FLAGS.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE MNSIM_GIT_HASH OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT MNSIM_GIT_HASH)
  set(MNSIM_GIT_HASH "unknown")
else()
  # Uncommitted changes to tracked files make the hash an approximation: say so.
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE MNSIM_GIT_CHANGES OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(MNSIM_GIT_CHANGES)
    string(APPEND MNSIM_GIT_HASH "-dirty")
  endif()
endif()
configure_file(${SRC}/include/mnsim/version.hpp.in ${DST} @ONLY)

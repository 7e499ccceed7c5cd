#pragma once
// glimpsed's log: one line per event on stderr, "<UTC time> <level> <text>".
// Thread-safe (any thread, including CAF's).
#include <cstdarg>

namespace glimpse::node {

void set_verbose(bool verbose);
bool verbose();

void log_info(const char* format, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char* format, ...) __attribute__((format(printf, 1, 2)));
// The node cannot go on: what it says next is how it stops.
void log_error(const char* format, ...) __attribute__((format(printf, 1, 2)));
// Only with --verbose.
void log_debug(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace glimpse::node

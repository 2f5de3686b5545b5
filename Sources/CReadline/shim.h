#ifndef RTCTL_CREADLINE_SHIM_H
#define RTCTL_CREADLINE_SHIM_H
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

// Accessors for readline's global variables, which Swift 6 cannot touch directly.

/// Readline leaves signals to the program, names itself `rtctl` for ~/.inputrc, and completes with `completer`.
static inline void rtctl_readline_configure(rl_completion_func_t *completer) {
    rl_catch_signals = 0;
    rl_catch_sigwinch = 1;
    rl_readline_name = "rtctl";
    rl_attempted_completion_function = completer;
}

/// Tells readline not to fall back to file-name completion.
static inline void rtctl_readline_completion_done(void) { rl_attempted_completion_over = 1; }

/// The line being edited.
static inline const char *rtctl_readline_line_buffer(void) { return rl_line_buffer; }

/// The newest history entry, or NULL.
static inline const char *rtctl_readline_last_history(void) {
    if (history_length <= 0) return NULL;
    HIST_ENTRY *entry = history_get(history_base + history_length - 1);
    return entry ? entry->line : NULL;
}

/// Writes text to standard output and flushes it.
static inline void rtctl_write_stdout(const char *text) {
    fputs(text, stdout);
    fflush(stdout);
}
#endif

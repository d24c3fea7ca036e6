/**
 * Renders build logs as a terminal showed them, into lines of safe HTML, while they stream.
 *
 * <p>{@link dev.kiln.webui.term.TerminalRenderer} is the entry point: feed it the log's bytes in
 * chunks cut anywhere, receive each finished line as a {@link dev.kiln.webui.term.RenderedLine}
 * (number, HTML, group events). A window of the last {@code windowLines} lines (default 128)
 * may still change; older lines are final.
 *
 * <h2>Supported</h2>
 * <ul>
 *   <li>UTF-8, cut anywhere; invalid bytes become U+FFFD; C1 controls are dropped.
 *   <li>{@code \n} (next line, column 0), {@code \r} (column 0: a progress bar ends as its last
 *       frame), {@code \b}, tab (stops every 8), VT and FF as {@code \n}.
 *   <li>CSI: {@code K}/{@code 0K}/{@code 1K}/{@code 2K} erase in line; {@code nA}, {@code nB},
 *       {@code nC}, {@code nD}, {@code nE}, {@code nF}, {@code nG} cursor moves (up stops at the
 *       window's top, down at the last line); {@code H} keeps only its column (a log has no
 *       screen height); {@code J} drops the lines below, {@code 1J} blanks those above,
 *       {@code 2J}/{@code 3J} make every line final (a log keeps what was shown);
 *       {@code s}/{@code u} and {@code ESC 7}/{@code ESC 8} save and restore the cursor;
 *       {@code ESC M} up, {@code ESC D}/{@code ESC E} down. Anything else is dropped, including
 *       private modes ({@code ESC[?25l}), ECH/ICH/DCH and charset designations.
 *   <li>SGR: reset, bold, faint, italic, underline, inverse, conceal, strike and their resets;
 *       16 and bright colours, 256 colours ({@code 38;5;n}), truecolor ({@code 38;2;r;g;b} and the
 *       colon forms), for foreground and background.
 *   <li>OSC 8 hyperlinks, kept only for {@code http} and {@code https} URLs of up to 2,048
 *       characters; any other scheme ({@code javascript:}, {@code data:}) leaves plain text.
 *       Other OSC (window title), DCS, SOS, PM and APC strings are dropped.
 *   <li>Groups: {@code ::group::NAME}/{@code ::endgroup::} (GitHub),
 *       {@code section_start:TS:NAME[collapsed=true]}/{@code section_end:TS:NAME} (GitLab, nested),
 *       {@code --- NAME}, {@code +++ NAME}, {@code ~~~ NAME} (Buildkite), as
 *       {@link dev.kiln.webui.term.GroupEvent}s with durations. Not supported: Buildkite's
 *       {@code ^^^ +++} (expand the previous group), GitHub's other workflow commands.
 * </ul>
 *
 * <h2>HTML</h2>
 * Every character of the log is escaped ({@code < > & " '}); the only markup is
 * {@code <span class="term-...">} and {@code <a class="term-link" href rel>}, balanced within
 * each line. No {@code style} attribute is ever written, so the page can send a
 * Content-Security-Policy without inline styles: truecolor is rounded to the nearest colour of
 * xterm's 6x6x6 cube or grey ramp (indices 16-255) and rendered as that class.
 * {@link dev.kiln.webui.term.TerminalCss#stylesheet()} gives the CSS for every class. A code
 * point is one cell: wide characters are not given two columns.
 *
 * <h2>Limits</h2>
 * Time is linear in the input, whatever it holds, and memory bounded by
 * {@link dev.kiln.webui.term.RenderOptions}: a line past {@code maxLineLength} cells (default
 * 65,536) wraps; unfinished lines hold at most {@code windowCells} cells (default 262,144) or the
 * oldest are emitted early; a CSI longer than 256 bytes, an OSC or string longer than 4,096, or a
 * control inside either is abandoned and the rest shows as text; at most 32 parameters, each
 * saturating at 65,535; a cursor move goes at most 256 columns past a line's end (so one escape
 * makes at most 256 blanks); at most 64 open GitLab sections and 8 group events per line.
 * {@code ESC[1K} records a clear instead of blanking cells, so repeating it costs O(1).
 */
package dev.kiln.webui.term;

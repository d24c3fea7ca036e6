package dev.kiln.webui.term;

/**
 * The stylesheet for the classes the renderer writes, for the page to serve as a file (the
 * dashboard's Content-Security-Policy allows no inline style). Colours 0-15 are CSS variables
 * {@code --term-0} ... {@code --term-15} so a theme can set them; 16-255 are xterm's values.
 */
public final class TerminalCss {
    private TerminalCss() {}

    public static String stylesheet() {
        StringBuilder css = new StringBuilder(32_768);
        css.append(":root{");
        for (int i = 0; i < 16; i++) {
            css.append("--term-").append(i).append(':').append(hex(Palette.rgb(i))).append(';');
        }
        css.append("}\n");
        css.append(".term-bold{font-weight:bold}\n.term-faint{opacity:.7}\n.term-italic{font-style:italic}\n")
                .append(".term-underline{text-decoration:underline}\n.term-strike{text-decoration:line-through}\n")
                .append(".term-underline.term-strike{text-decoration:underline line-through}\n")
                .append(".term-conceal{visibility:hidden}\n")
                // Before the colour classes, so an explicit colour on an inverse span wins.
                .append(".term-inverse{color:var(--term-inverse-fg,#000);background:var(--term-inverse-bg,#ddd)}\n");
        for (int i = 0; i < 256; i++) {
            String colour = i < 16 ? "var(--term-" + i + ")" : hex(Palette.rgb(i));
            css.append(".term-fg-").append(i).append("{color:").append(colour).append("}\n");
            css.append(".term-bg-").append(i).append("{background:").append(colour).append("}\n");
        }
        return css.toString();
    }

    private static String hex(int rgb) {
        return String.format("#%06x", rgb);
    }
}

package dev.kopi.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Elastic tab stops as Go's text/tabwriter computes them (left-aligned, space padding, no flags but the
 * ones containers/common uses). Tab-terminated cells in consecutive lines form a column whose width is the widest
 * cell plus padding, at least {@code minWidth}; the last cell of a line is not part of a column.
 */
final class TabWriter {
    private record Cell(String text, int width) {
    }

    private final int minWidth;
    private final int padding;
    private final char padChar;
    private final List<List<Cell>> lines = new ArrayList<>();
    private final List<Integer> widths = new ArrayList<>();
    private StringBuilder out;

    TabWriter(int minWidth, int padding, char padChar) {
        this.minWidth = minWidth;
        this.padding = padding;
        this.padChar = padChar;
    }

    /** Formats a complete text (as if written and then flushed). */
    String format(String text) {
        lines.clear();
        List<Cell> line = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\t' || c == '\u000b') {
                line.add(cell(cell));
                cell.setLength(0);
            } else if (c == '\n' || c == '\f') {
                line.add(cell(cell));
                cell.setLength(0);
                lines.add(line);
                line = new ArrayList<>();
            } else {
                cell.append(c);
            }
        }
        if (cell.length() > 0) {
            line.add(cell(cell));
        }
        lines.add(line);
        out = new StringBuilder();
        widths.clear();
        formatBlock(0, lines.size());
        return out.toString();
    }

    private static Cell cell(StringBuilder sb) {
        String s = sb.toString();
        return new Cell(s, s.codePointCount(0, s.length()));
    }

    private void formatBlock(int line0, int line1) {
        int column = widths.size();
        for (int cur = line0; cur < line1; cur++) {
            List<Cell> line = lines.get(cur);
            if (column >= line.size() - 1) {
                continue;
            }
            writeLines(line0, cur);
            line0 = cur;
            int width = minWidth;
            for (; cur < line1; cur++) {
                line = lines.get(cur);
                if (column >= line.size() - 1) {
                    break;
                }
                int w = line.get(column).width() + padding;
                if (w > width) {
                    width = w;
                }
            }
            widths.add(width);
            formatBlock(line0, cur);
            widths.remove(widths.size() - 1);
            line0 = cur;
            cur--; // the for-loop increment must not skip the line that ended the block
        }
        writeLines(line0, line1);
    }

    private void writeLines(int line0, int line1) {
        for (int i = line0; i < line1; i++) {
            List<Cell> line = lines.get(i);
            for (int j = 0; j < line.size(); j++) {
                Cell c = line.get(j);
                out.append(c.text());
                if (j < widths.size()) {
                    for (int k = c.width(); k < widths.get(j); k++) {
                        out.append(padChar);
                    }
                }
            }
            if (i + 1 < lines.size()) {
                out.append('\n');
            }
        }
    }
}

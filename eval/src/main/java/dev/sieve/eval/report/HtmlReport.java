package dev.sieve.eval.report;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A small builder for one self-contained static HTML page: inline CSS, no scripts, nothing loaded
 * from another host, so the report opens from a file, an archive or a CI artifact as it is. Every
 * text passed in is escaped; the page is written whole by {@link #write(Path)}.
 */
public final class HtmlReport {

  private static final String CSS = """
      body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px;
             padding: 0 1em; color: #222; line-height: 1.45; }
      h1 { font-size: 1.6em; border-bottom: 2px solid #ddd; padding-bottom: .3em; }
      h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #eee; padding-bottom: .2em; }
      pre { background: #f6f8fa; padding: .8em 1em; overflow-x: auto; border-radius: 4px; }
      table { border-collapse: collapse; margin: 1em 0; font-size: .9em; }
      th, td { border: 1px solid #ddd; padding: .3em .6em; vertical-align: top; }
      th { background: #f3f3f3; text-align: left; }
      tr:nth-child(even) td { background: #fafafa; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      figure { margin: 1.5em 0; }
      figure img { max-width: 100%; border: 1px solid #eee; }
      figcaption { color: #555; font-size: .9em; }
      """;

  /**
   * A cell that reads as a number: 12, -3.5, 1,234, 1e-5, 0.91 ± 0.02, 10 %, or the dash / n/a
   * standing in for a number that does not exist. Such cells are right-aligned so digits line up.
   */
  private static final Pattern NUMERIC = Pattern.compile(
      "[-+−]?(\\d[\\d,]*(\\.\\d+)?|\\.\\d+)([eE][-+]?\\d+)?\\s*(%|±\\s*[-+]?\\d[\\d,]*(\\.\\d+)?([eE][-+]?\\d+)?)?"
          + "|[-–—]|n/a|NaN");

  private final String title;
  private final StringBuilder body = new StringBuilder();

  public HtmlReport(String title) {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("a report needs a title, got " + (title == null ? "null" : "'" + title + "'"));
    }
    this.title = title;
  }

  /** A section heading. */
  public HtmlReport heading(String text) {
    body.append("<h2>").append(escape(text)).append("</h2>\n");
    return this;
  }

  /** A paragraph of plain text. */
  public HtmlReport paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** A preformatted block, for a command to copy or a log excerpt. */
  public HtmlReport code(String text) {
    body.append("<pre><code>").append(escape(text)).append("</code></pre>\n");
    return this;
  }

  /**
   * A table; every row must have as many cells as the header. Numeric-looking cells are
   * right-aligned.
   */
  public HtmlReport table(List<String> header, List<List<String>> rows) {
    for (int r = 0; r < rows.size(); r++) {
      if (rows.get(r).size() != header.size()) {
        throw new IllegalArgumentException("table row " + r + " has " + rows.get(r).size() + " cells, the header "
            + header.size() + " " + header);
      }
    }
    body.append("<table>\n<thead><tr>");
    for (String h : header) {
      body.append("<th>").append(escape(h)).append("</th>");
    }
    body.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      body.append("<tr>");
      for (String cell : row) {
        String text = cell == null ? "" : cell;
        body.append(isNumeric(text) ? "<td class=\"num\">" : "<td>").append(escape(text)).append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</tbody>\n</table>\n");
    return this;
  }

  /**
   * An image with its caption. The path is relative to the page (the PNGs sit beside it), so the
   * report directory can be moved as one; an absolute path or a URL is refused.
   */
  public HtmlReport image(String relativePath, String caption) {
    body.append("<figure><img src=\"").append(escape(relativeUri(relativePath))).append("\" alt=\"")
        .append(escape(caption)).append("\"><figcaption>").append(escape(caption)).append("</figcaption></figure>\n");
    return this;
  }

  /** The whole page as HTML text. */
  public String html() {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>" + escape(title) + "</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n"
        + "<h1>" + escape(title) + "</h1>\n" + body + "</body>\n</html>\n";
  }

  /** Writes the page as UTF-8, creating the parent directories; replaces the file whole. */
  public void write(Path file) {
    AtomicFile.write(file, html().getBytes(StandardCharsets.UTF_8));
  }

  static boolean isNumeric(String cell) {
    return NUMERIC.matcher(cell.strip()).matches();
  }

  /** Escapes text for both element content and double-quoted attribute values. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Percent-encodes what a URI path may not hold (spaces, non-ASCII) and refuses what leaves the report. */
  private static String relativeUri(String path) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("an image needs a path relative to the report, got "
          + (path == null ? "null" : "'" + path + "'"));
    }
    String portable = path.replace('\\', '/');
    if (portable.startsWith("/") || portable.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      throw new IllegalArgumentException("image path '" + path + "' must be relative to the report (e.g. roc.png):"
          + " the page loads nothing from elsewhere");
    }
    try {
      return new URI(null, null, portable, null).toASCIIString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("image path '" + path + "' is not a valid relative path: " + e.getMessage(), e);
    }
  }
}

package dev.sieve.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

  @TempDir Path dir;

  @Test
  void escapesEveryTextItIsGiven() {
    String html = new HtmlReport("A <b>bold</b> & \"quoted\" title")
        .heading("<script>alert(1)</script>")
        .paragraph("x < y && y > z")
        .code("./sieve eval --cells 'badnets:0.1'")
        .table(List.of("<th>"), List.of(List.of("<td>")))
        .image("roc.png", "caption with \"quotes\" & <tags>")
        .html();

    assertFalse(html.contains("<script>"), html);
    assertFalse(html.contains("<b>bold"), html);
    assertTrue(html.contains("<title>A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title</title>"), html);
    assertTrue(html.contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>"), html);
    assertTrue(html.contains("<p>x &lt; y &amp;&amp; y &gt; z</p>"), html);
    assertTrue(html.contains("<pre><code>./sieve eval --cells &#39;badnets:0.1&#39;</code></pre>"), html);
    assertTrue(html.contains("<th>&lt;th&gt;</th>"), html);
    assertTrue(html.contains("alt=\"caption with &quot;quotes&quot; &amp; &lt;tags&gt;\""), html);
  }

  @Test
  void tableRightAlignsNumbersAndRefusesRaggedRows() {
    String html = new HtmlReport("t")
        .table(List.of("attack", "rate", "AUROC", "CA", "count", "note"),
            List.of(List.of("BadNets 3×3", "10 %", "0.9123", "0.9050 ± 0.0100", "1,234", "–")))
        .html();
    assertTrue(html.contains("<td>BadNets 3×3</td><td class=\"num\">10 %</td><td class=\"num\">0.9123</td>"
        + "<td class=\"num\">0.9050 ± 0.0100</td><td class=\"num\">1,234</td><td class=\"num\">–</td>"), html);

    for (String number : List.of("12", "-3.5", "1e-5", "−2", ".5", "n/a", "NaN", "7 %")) {
      assertTrue(HtmlReport.isNumeric(number), number);
    }
    for (String text : List.of("BadNets", "0.905 / 0.999", "v2", "12 samples", "", "3x3")) {
      assertFalse(HtmlReport.isNumeric(text), text);
    }

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new HtmlReport("t").table(List.of("a", "b"), List.of(List.of("1", "2"), List.of("3"))));
    assertTrue(e.getMessage().contains("row 1 has 1 cells, the header 2"), e.getMessage());
  }

  @Test
  void imagesAreRelativeFiguresWithCaptions() {
    String html = new HtmlReport("t").image("plots/entropy badnets.png", "Entropy").html();
    assertTrue(html.contains("<figure><img src=\"plots/entropy%20badnets.png\" alt=\"Entropy\">"
        + "<figcaption>Entropy</figcaption></figure>"), html);

    for (String outside : List.of("https://example.com/a.png", "/etc/a.png", "file:roc.png", "C:\\plots\\a.png")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new HtmlReport("t").image(outside, "x"), outside);
      assertTrue(e.getMessage().contains("must be relative"), e.getMessage());
    }
  }

  @Test
  void writesOneSelfContainedPageCreatingItsDirectory() throws Exception {
    Path file = dir.resolve("report").resolve("nested").resolve("index.html");
    new HtmlReport("Sieve defense evaluation").heading("Summary").paragraph("Ünïcödé ± –").write(file);

    String html = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<meta charset=\"utf-8\">"), html);
    assertTrue(html.contains("<style>"), html);
    assertTrue(html.contains("<h1>Sieve defense evaluation</h1>"), html);
    assertTrue(html.contains("<p>Ünïcödé ± –</p>"), html);
    assertTrue(html.strip().endsWith("</html>"), html);
    assertFalse(html.contains("<script"), "no scripts");
    assertFalse(html.contains("http://") || html.contains("https://"), "nothing from another host");
    // Written via a temporary file renamed into place: nothing else is left in the directory.
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList());
    }
  }
}

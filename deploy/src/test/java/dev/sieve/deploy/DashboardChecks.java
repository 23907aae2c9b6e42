package dev.sieve.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of a Grafana dashboard: every panel has a title and queries, every query names only
 * series the Sieve processes (or the binders they use) expose, panel ids are unique, and the
 * panels' data source is the dashboard's variable or a provisioned uid.
 */
final class DashboardChecks {

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
      "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

  private DashboardChecks() {}

  /** The metric names a PromQL expression reads (functions, keywords, labels and durations left out). */
  static Set<String> metricNames(String expr) {
    String s = STRING.matcher(expr).replaceAll("\"\"");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGES.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> out = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      if (m.group(2) == null && !KEYWORDS.contains(m.group(1))) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      for (JsonNode nested : p.path("panels")) {
        out.add(nested);
      }
    }
    return out;
  }

  static List<String> problems(JsonNode dashboard, String where, Set<String> knownMetrics, Set<String> datasourceUids) {
    List<String> out = new ArrayList<>();
    if (dashboard.path("uid").asText().isBlank() || dashboard.path("title").asText().isBlank()) {
      out.add(where + ": the dashboard needs a uid and a title");
    }
    Set<String> variables = new HashSet<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      variables.add(v.path("name").asText());
    }
    Set<Integer> ids = new HashSet<>();
    List<JsonNode> panels = panels(dashboard);
    if (panels.stream().noneMatch(p -> !"row".equals(p.path("type").asText()))) {
      out.add(where + ": no panels");
    }
    for (JsonNode p : panels) {
      String title = p.path("title").asText();
      String at = where + ": panel '" + title + "'";
      if (!ids.add(p.path("id").asInt(-1))) {
        out.add(at + ": id " + p.path("id") + " is used twice");
      }
      if ("row".equals(p.path("type").asText())) {
        continue;
      }
      if (title.isBlank()) {
        out.add(where + ": a " + p.path("type").asText() + " panel without a title");
      }
      if (!p.path("gridPos").has("w") || !p.path("gridPos").has("h")) {
        out.add(at + ": no gridPos");
      }
      out.addAll(datasourceProblems(p.path("datasource"), at, variables, datasourceUids));
      JsonNode targets = p.path("targets");
      if (targets.isEmpty()) {
        out.add(at + ": no queries");
      }
      for (JsonNode t : targets) {
        out.addAll(datasourceProblems(t.path("datasource"), at, variables, datasourceUids));
        String expr = t.path("expr").asText();
        if (expr.isBlank()) {
          out.add(at + ": query " + t.path("refId").asText() + " has no expr");
          continue;
        }
        Set<String> names = metricNames(expr);
        if (names.isEmpty()) {
          out.add(at + ": query '" + expr + "' reads no metric");
        }
        for (String name : names) {
          if (!knownMetrics.contains(name)) {
            out.add(at + ": query '" + expr + "' reads " + name + ", which no Sieve process exposes");
          }
        }
      }
    }
    return out;
  }

  private static List<String> datasourceProblems(JsonNode ds, String at, Set<String> variables, Set<String> uids) {
    List<String> out = new ArrayList<>();
    if (ds.isMissingNode() || ds.isNull()) {
      return out;
    }
    String uid = ds.path("uid").asText();
    if (uid.startsWith("${") && uid.endsWith("}")) {
      if (!variables.contains(uid.substring(2, uid.length() - 1))) {
        out.add(at + ": data source " + uid + " names no dashboard variable");
      }
    } else if (!uids.contains(uid)) {
      out.add(at + ": data source uid " + uid + " is neither a variable nor provisioned " + uids);
    }
    return out;
  }
}

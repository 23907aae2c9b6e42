package dev.sieve.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Loading YAML (every document of a file) and walking the plain maps and lists it yields. */
final class Yamls {

  private Yamls() {}

  /** Thrown for a file that does not parse; the message names the file and SnakeYAML's position. */
  static final class ParseError extends RuntimeException {
    ParseError(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Every document of the file; empty documents (a trailing ---) are dropped. */
  static List<Object> loadAll(Path file) {
    return loadAll(Repo.read(file), Repo.name(file));
  }

  static List<Object> loadAll(String text, String name) {
    LoaderOptions options = new LoaderOptions();
    // A repeated key silently overwrites the first in most tools (compose, kubectl): a real bug
    // that parses, so it is refused here.
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    List<Object> docs = new ArrayList<>();
    try {
      for (Object doc : yaml.loadAll(text)) {
        if (doc != null) {
          docs.add(doc);
        }
      }
    } catch (YAMLException e) {
      throw new ParseError(name + ": not valid YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  /** The one document of a file that must hold exactly one. */
  static Object loadOne(Path file) {
    List<Object> docs = loadAll(file);
    if (docs.size() != 1) {
      throw new ParseError(Repo.name(file) + ": expected one YAML document, found " + docs.size(), null);
    }
    return docs.get(0);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node) {
    return node instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** A scalar as text (numbers and booleans too), or null. */
  static String text(Object node) {
    return node == null || node instanceof Map<?, ?> || node instanceof List<?> ? null : node.toString();
  }

  /** The node at a path of map keys, or null where the path breaks off. */
  static Object at(Object node, String... keys) {
    Object cur = node;
    for (String k : keys) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = m.get(k);
    }
    return cur;
  }

  static String textAt(Object node, String... keys) {
    return text(at(node, keys));
  }

  static List<Map<String, Object>> maps(Object node) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : list(node)) {
      if (o instanceof Map<?, ?>) {
        out.add(map(o));
      }
    }
    return out;
  }

  /** A deep copy of plain maps and lists, so that a check can mutate a loaded file safely. */
  static Object copy(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(copy(v)));
      return out;
    }
    return node;
  }
}

package dev.sieve.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Just enough of {@code kubectl kustomize} to check the overlays offline: resources (files and
 * directories), patches (JSON 6902 operations with a kind/name target, or a strategic-merge
 * object merged map by map) and the images transformer. What it cannot apply is reported as a
 * problem, not ignored.
 */
final class Kustomize {

  /** The objects a kustomization renders, the files it read, and what went wrong. */
  record Build(List<Map<String, Object>> objects, List<Path> files, List<String> problems) {}

  private Kustomize() {}

  static Build build(Path dir) {
    List<Map<String, Object>> objects = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    build(dir, objects, files, problems);
    return new Build(objects, files, problems);
  }

  private static void build(Path dir, List<Map<String, Object>> objects, List<Path> files, List<String> problems) {
    Path file = dir.resolve("kustomization.yaml");
    String where = Repo.name(file);
    if (!Files.isRegularFile(file)) {
      problems.add(Repo.name(dir) + ": no kustomization.yaml");
      return;
    }
    files.add(file);
    Object k = Yamls.loadOne(file);
    if (!"Kustomization".equals(Yamls.textAt(k, "kind"))) {
      problems.add(where + ": kind is not Kustomization");
    }
    for (Object r : Yamls.list(Yamls.at(k, "resources"))) {
      Path p = dir.resolve(String.valueOf(r)).normalize();
      if (Files.isDirectory(p)) {
        build(p, objects, files, problems);
      } else if (Files.isRegularFile(p)) {
        files.add(p);
        for (Object doc : Yamls.loadAll(p)) {
          objects.add(Yamls.map(Yamls.copy(doc)));
        }
      } else {
        problems.add(where + ": resource " + r + " does not exist");
      }
    }
    for (Map<String, Object> patch : Yamls.maps(Yamls.at(k, "patches"))) {
      String path = Yamls.text(patch.get("path"));
      if (path == null) {
        problems.add(where + ": a patch without 'path' (inline patches are not checked here)");
        continue;
      }
      Path p = dir.resolve(path).normalize();
      if (!Files.isRegularFile(p)) {
        problems.add(where + ": patch " + path + " does not exist");
        continue;
      }
      files.add(p);
      Object content = Yamls.loadOne(p);
      if (content instanceof List<?> ops) {
        String kind = Yamls.textAt(patch, "target", "kind");
        String name = Yamls.textAt(patch, "target", "name");
        List<Map<String, Object>> targets = objects.stream()
            .filter(o -> kind == null || kind.equals(Yamls.text(o.get("kind"))))
            .filter(o -> name == null || name.equals(Yamls.textAt(o, "metadata", "name")))
            .toList();
        if (targets.isEmpty()) {
          problems.add(where + ": patch " + path + " targets " + kind + "/" + name + ", which no resource is");
        }
        for (Map<String, Object> target : targets) {
          for (Object op : ops) {
            String problem = JsonPatch.apply(target, Yamls.map(op));
            if (problem != null) {
              problems.add(where + ": patch " + path + " on " + kind + "/" + name + ": " + problem);
            }
          }
        }
      } else {
        String kind = Yamls.textAt(content, "kind");
        String name = Yamls.textAt(content, "metadata", "name");
        Map<String, Object> target = objects.stream()
            .filter(o -> kind != null && kind.equals(Yamls.text(o.get("kind"))))
            .filter(o -> name != null && name.equals(Yamls.textAt(o, "metadata", "name")))
            .findFirst().orElse(null);
        if (target == null) {
          problems.add(where + ": strategic-merge patch " + path + " names " + kind + "/" + name
              + ", which no resource is");
        } else {
          merge(target, Yamls.map(content));
        }
      }
    }
    for (Map<String, Object> image : Yamls.maps(Yamls.at(k, "images"))) {
      String name = Yamls.text(image.get("name"));
      int replaced = 0;
      for (Map<String, Object> container : containers(objects)) {
        String ref = Yamls.text(container.get("image"));
        if (ref != null && imageName(ref).equals(name)) {
          String newName = Yamls.text(image.get("newName"));
          String newTag = Yamls.text(image.get("newTag"));
          container.put("image", (newName == null ? name : newName) + ":" + (newTag == null ? imageTag(ref) : newTag));
          replaced++;
        }
      }
      if (replaced == 0) {
        problems.add(where + ": images entry '" + name + "' matches no container image");
      }
    }
  }

  /** The containers of every workload among the objects. */
  static List<Map<String, Object>> containers(List<Map<String, Object>> objects) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> o : objects) {
      out.addAll(Yamls.maps(Yamls.at(o, "spec", "template", "spec", "containers")));
    }
    return out;
  }

  /** An image reference without its tag: registry.example.com:5000/sieve:0.1 is registry.example.com:5000/sieve. */
  static String imageName(String ref) {
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    return colon > slash ? ref.substring(0, colon) : ref;
  }

  static String imageTag(String ref) {
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    return colon > slash ? ref.substring(colon + 1) : "latest";
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> patch) {
    patch.forEach((key, value) -> {
      Object existing = into.get(key);
      if (existing instanceof Map<?, ?> e && value instanceof Map<?, ?> v) {
        merge((Map<String, Object>) e, (Map<String, Object>) v);
      } else {
        into.put(key, Yamls.copy(value));
      }
    });
  }

  /** RFC 6902 add, replace and remove on plain maps and lists (the operations the overlays use). */
  static final class JsonPatch {

    private JsonPatch() {}

    /** Applies one operation; returns what went wrong, or null. */
    @SuppressWarnings("unchecked")
    static String apply(Map<String, Object> doc, Map<String, Object> op) {
      String kind = Yamls.text(op.get("op"));
      String path = Yamls.text(op.get("path"));
      if (kind == null || path == null || !path.startsWith("/")) {
        return "operation " + op + " needs 'op' and a 'path' starting with /";
      }
      String[] tokens = path.substring(1).split("/", -1);
      Object parent = doc;
      for (int i = 0; i < tokens.length - 1; i++) {
        parent = child(parent, unescape(tokens[i]));
        if (parent == null) {
          return kind + " " + path + ": " + tokens[i] + " does not exist";
        }
      }
      String last = unescape(tokens[tokens.length - 1]);
      Object value = Yamls.copy(op.get("value"));
      if (parent instanceof Map<?, ?> m) {
        Map<String, Object> map = (Map<String, Object>) m;
        switch (kind) {
          case "add" -> map.put(last, value);
          case "replace" -> {
            if (!map.containsKey(last)) {
              return "replace " + path + ": nothing there to replace";
            }
            map.put(last, value);
          }
          case "remove" -> {
            if (map.remove(last) == null) {
              return "remove " + path + ": nothing there to remove";
            }
          }
          default -> {
            return "operation '" + kind + "' is not supported by this check";
          }
        }
        return null;
      }
      if (parent instanceof List<?> l) {
        List<Object> list = (List<Object>) l;
        if (kind.equals("add") && last.equals("-")) {
          list.add(value);
          return null;
        }
        int index;
        try {
          index = Integer.parseInt(last);
        } catch (NumberFormatException e) {
          return kind + " " + path + ": '" + last + "' is not a list index";
        }
        if (index < 0 || index > list.size() || (!kind.equals("add") && index == list.size())) {
          return kind + " " + path + ": index " + index + " is outside a list of " + list.size();
        }
        switch (kind) {
          case "add" -> list.add(index, value);
          case "replace" -> list.set(index, value);
          case "remove" -> list.remove(index);
          default -> {
            return "operation '" + kind + "' is not supported by this check";
          }
        }
        return null;
      }
      return kind + " " + path + ": the parent is not a map or list";
    }

    private static Object child(Object node, String token) {
      if (node instanceof Map<?, ?> m) {
        return m.get(token);
      }
      if (node instanceof List<?> l) {
        try {
          int i = Integer.parseInt(token);
          return i >= 0 && i < l.size() ? l.get(i) : null;
        } catch (NumberFormatException e) {
          return null;
        }
      }
      return null;
    }

    private static String unescape(String token) {
      return token.replace("~1", "/").replace("~0", "~");
    }
  }
}

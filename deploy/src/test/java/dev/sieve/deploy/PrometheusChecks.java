package dev.sieve.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a Prometheus configuration scrapes the compose stack's Sieve processes where they
 * serve metrics: every target is a compose service running stream or train, on the port that
 * process serves /metrics on, and every such service is scraped.
 */
final class PrometheusChecks {

  private PrometheusChecks() {}

  static List<String> problems(Object prometheus, String where, Object compose, Cli cli) {
    List<String> out = new ArrayList<>();
    Map<String, Map<String, Object>> services = ComposeChecks.services(compose);
    Set<String> sieveImages = ComposeChecks.sieveImages(services);
    Set<String> scraped = new HashSet<>();
    List<Map<String, Object>> jobs = Yamls.maps(Yamls.at(prometheus, "scrape_configs"));
    if (jobs.isEmpty()) {
      out.add(where + ": no scrape_configs");
    }
    for (Map<String, Object> job : jobs) {
      String at = where + ": job " + job.get("job_name");
      String path = Yamls.text(job.get("metrics_path"));
      if (path != null && !path.equals("/metrics")) {
        out.add(at + ": metrics_path " + path + "; Sieve serves /metrics");
      }
      List<String[]> targets = new ArrayList<>();
      for (Map<String, Object> sc : Yamls.maps(job.get("static_configs"))) {
        for (Object t : Yamls.list(sc.get("targets"))) {
          String target = String.valueOf(t);
          int colon = target.lastIndexOf(':');
          targets.add(colon < 0 ? new String[] {target, "80"}
              : new String[] {target.substring(0, colon), target.substring(colon + 1)});
        }
      }
      for (Map<String, Object> dns : Yamls.maps(job.get("dns_sd_configs"))) {
        for (Object n : Yamls.list(dns.get("names"))) {
          targets.add(new String[] {String.valueOf(n), Yamls.text(dns.get("port"))});
        }
      }
      if (targets.isEmpty()) {
        out.add(at + ": no targets");
      }
      for (String[] target : targets) {
        Map<String, Object> service = services.get(target[0]);
        if (service == null) {
          out.add(at + ": target " + target[0] + " is not a compose service " + services.keySet());
          continue;
        }
        Integer port = ComposeChecks.isSieve(service, sieveImages)
            ? cli.metricsPort(ComposeChecks.command(service)) : null;
        if (port == null) {
          out.add(at + ": target " + target[0] + " runs no Sieve process that serves metrics");
        } else if (!String.valueOf(port).equals(target[1])) {
          out.add(at + ": target " + target[0] + ":" + target[1] + ", but that service serves /metrics on " + port);
        } else {
          scraped.add(target[0]);
        }
      }
    }
    services.forEach((name, s) -> {
      if (ComposeChecks.isSieve(s, sieveImages) && cli.metricsPort(ComposeChecks.command(s)) != null
          && !scraped.contains(name)) {
        out.add(where + ": compose service " + name + " serves metrics but no job scrapes it");
      }
    });
    return out;
  }
}

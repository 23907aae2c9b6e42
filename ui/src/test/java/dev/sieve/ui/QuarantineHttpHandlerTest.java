package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuarantineHttpHandlerTest {

  @Test
  void pathSegmentsArePercentDecodedOneByOne() {
    assertEquals(List.of("api", "samples", "a/b c+d", "release"),
        QuarantineHttpHandler.segments("/api/samples/a%2Fb%20c+d/release"));
    assertEquals(List.of(), QuarantineHttpHandler.segments("/"));
  }

  @Test
  void onlyLoopbackHostNamesPassOnALoopbackBind() {
    assertTrue(QuarantineHttpHandler.hostIsLoopback("127.0.0.1:8080"));
    assertTrue(QuarantineHttpHandler.hostIsLoopback("localhost"));
    assertTrue(QuarantineHttpHandler.hostIsLoopback("LOCALHOST:80"));
    assertTrue(QuarantineHttpHandler.hostIsLoopback("[::1]:8080"));
    assertFalse(QuarantineHttpHandler.hostIsLoopback("evil.example:8080"), "a DNS-rebinding page sends its own name");
    assertFalse(QuarantineHttpHandler.hostIsLoopback("localhost.evil.example"));
    assertFalse(QuarantineHttpHandler.hostIsLoopback(null));
  }
}

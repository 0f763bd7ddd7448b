package io.nagselector.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for one test with the JDK's keytool: a CA, a broker key pair for
 * 127.0.0.1 signed by it (PKCS12 key store), and the CA certificate as PEM for the clients.
 */
public record TestCa(Path brokerKeystore, String password, Path caPem) {
  public static TestCa create(Path dir) throws Exception {
    String pw = "test-store-pass";
    Path ca = dir.resolve("ca.p12");
    Path broker = dir.resolve("broker.p12");
    Path csr = dir.resolve("broker.csr");
    Path crt = dir.resolve("broker.crt");
    Path caPem = dir.resolve("ca.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=nag-selector test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        ca.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        pw);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-storepass",
        pw,
        "-file",
        caPem.toString());
    keytool(
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        broker.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        pw);
    keytool(
        "-certreq",
        "-alias",
        "broker",
        "-keystore",
        broker.toString(),
        "-storepass",
        pw,
        "-file",
        csr.toString());
    keytool(
        "-gencert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-storepass",
        pw,
        "-infile",
        csr.toString(),
        "-outfile",
        crt.toString(),
        "-validity",
        "2",
        "-ext",
        "SAN=IP:127.0.0.1");
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem.toString(),
        "-keystore",
        broker.toString(),
        "-storepass",
        pw);
    keytool(
        "-importcert",
        "-alias",
        "broker",
        "-file",
        crt.toString(),
        "-keystore",
        broker.toString(),
        "-storepass",
        pw);
    return new TestCa(broker, pw, caPem);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + ":\n" + out);
    }
  }
}

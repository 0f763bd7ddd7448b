package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The KafkaUsers' ACLs as Kafka's bindings (what KafkaAclsIT gives its broker), and the least
 * privilege they grant: only the control principal writes target commands.
 */
class KafkaUserAclsTest {
  private static final Path USERS = Path.of("k8s/base/kafka-users.yaml");

  private static AclBinding allow(
      String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }

  /** The topics {@code user} may do {@code op} on. */
  private static Set<String> topics(List<AclBinding> acls, String user, AclOperation op) {
    return acls.stream()
        .filter(b -> b.entry().principal().equals("User:" + user))
        .filter(b -> b.pattern().resourceType() == ResourceType.TOPIC)
        .filter(b -> b.entry().operation() == op)
        .map(b -> b.pattern().name())
        .collect(Collectors.toSet());
  }

  @Test
  void eachRuleAndOperationIsOneBindingForItsUser() throws Exception {
    Map<String, KafkaUser> users = KafkaUserAcls.users(USERS);
    for (KafkaUser user : users.values()) {
      int operations =
          ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization())
              .getAcls().stream().mapToInt(r -> r.getOperations().size()).sum();
      assertThat(KafkaUserAcls.of(user)).hasSize(operations).doesNotHaveDuplicates();
    }
    List<AclBinding> acls = KafkaUserAcls.of(users);
    assertThat(acls)
        .contains(
            allow(
                "nag-selector",
                ResourceType.TOPIC,
                "crawl",
                PatternType.LITERAL,
                AclOperation.READ),
            allow(
                "nag-selector",
                ResourceType.TRANSACTIONAL_ID,
                "nag-selector",
                PatternType.PREFIXED,
                AclOperation.WRITE),
            allow(
                "nag-selector",
                ResourceType.GROUP,
                "nag-selector",
                PatternType.PREFIXED,
                AclOperation.READ),
            allow(
                "nag-selector-cli",
                ResourceType.TOPIC,
                "control",
                PatternType.LITERAL,
                AclOperation.WRITE));
  }

  @Test
  void onlyTheControlPrincipalWritesTargetCommandsAndEachOtherDoesOnlyItsPart() throws Exception {
    List<AclBinding> acls = KafkaUserAcls.of(KafkaUserAcls.users(USERS));
    Set<String> controlWriters =
        acls.stream()
            .filter(b -> b.pattern().resourceType() == ResourceType.TOPIC)
            .filter(b -> b.pattern().name().equals("control"))
            .filter(b -> b.entry().operation() == AclOperation.WRITE)
            .map(b -> b.entry().principal())
            .collect(Collectors.toSet());
    assertThat(controlWriters).containsExactly("User:nag-selector-cli");
    assertThat(acls)
        .allMatch(b -> b.entry().permissionType() == AclPermissionType.ALLOW)
        .noneMatch(b -> b.pattern().resourceType() == ResourceType.CLUSTER)
        .noneMatch(b -> b.entry().operation() == AclOperation.ALL)
        .noneMatch(b -> b.pattern().name().equals("*"));
    assertThat(topics(acls, "nag-selector-crawler", AclOperation.WRITE)).containsExactly("crawl");
    assertThat(topics(acls, "nag-selector-crawler", AclOperation.READ)).isEmpty();
    assertThat(topics(acls, "nag-selector-reader", AclOperation.WRITE)).isEmpty();
    assertThat(topics(acls, "nag-selector-reader", AclOperation.READ))
        .containsExactlyInAnyOrder("selected", "top-k", "dead-letters", "features");
    assertThat(topics(acls, "nag-selector", AclOperation.READ))
        .containsExactlyInAnyOrder("crawl", "control");
  }
}

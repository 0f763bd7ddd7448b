package io.nagselector.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleClusterResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs Strimzi's User Operator gives a KafkaUser of {@code authorization: simple}, as Kafka's
 * own {@link AclBinding}s: one binding per rule and operation, for principal {@code User:NAME}, on
 * the rule's host ({@code *} when it names none).
 */
public final class KafkaUserAcls {
  private KafkaUserAcls() {}

  /** Every KafkaUser in a manifest file, by name, bound strictly to Strimzi's model. */
  public static Map<String, KafkaUser> users(Path manifest) throws Exception {
    Map<String, KafkaUser> users = new LinkedHashMap<>();
    var docs =
        new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(manifest.toFile());
    while (docs.hasNext()) {
      JsonNode doc = (JsonNode) docs.next();
      if (doc.path("kind").asText().equals("KafkaUser")) {
        KafkaUser user = Manifests.bind(doc, KafkaUser.class);
        users.put(user.getMetadata().getName(), user);
      }
    }
    return users;
  }

  /** Every user's bindings. */
  public static List<AclBinding> of(Map<String, KafkaUser> users) {
    List<AclBinding> all = new ArrayList<>();
    users.values().forEach(u -> all.addAll(of(u)));
    return all;
  }

  /** One user's bindings. */
  public static List<AclBinding> of(KafkaUser user) {
    String principal = "User:" + user.getMetadata().getName();
    List<AclBinding> out = new ArrayList<>();
    for (AclRule rule :
        ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls()) {
      ResourcePattern resource = resource(rule);
      AclPermissionType permission =
          rule.getType() == AclRuleType.DENY ? AclPermissionType.DENY : AclPermissionType.ALLOW;
      String host = rule.getHost() == null ? "*" : rule.getHost();
      List<io.strimzi.api.kafka.model.user.acl.AclOperation> operations =
          rule.getOperations() != null ? rule.getOperations() : List.of(rule.getOperation());
      for (var operation : operations) {
        out.add(
            new AclBinding(
                resource,
                new AccessControlEntry(principal, host, operation(operation), permission)));
      }
    }
    return out;
  }

  private static ResourcePattern resource(AclRule rule) {
    if (rule.getResource() instanceof AclRuleTopicResource t) {
      return new ResourcePattern(ResourceType.TOPIC, t.getName(), pattern(t.getPatternType()));
    }
    if (rule.getResource() instanceof AclRuleGroupResource g) {
      return new ResourcePattern(ResourceType.GROUP, g.getName(), pattern(g.getPatternType()));
    }
    if (rule.getResource() instanceof AclRuleTransactionalIdResource x) {
      return new ResourcePattern(
          ResourceType.TRANSACTIONAL_ID, x.getName(), pattern(x.getPatternType()));
    }
    if (rule.getResource() instanceof AclRuleClusterResource) {
      return new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
    }
    throw new IllegalArgumentException("unknown ACL resource " + rule.getResource());
  }

  private static PatternType pattern(AclResourcePatternType type) {
    return type == AclResourcePatternType.PREFIX ? PatternType.PREFIXED : PatternType.LITERAL;
  }

  private static AclOperation operation(io.strimzi.api.kafka.model.user.acl.AclOperation op) {
    return switch (op) {
      case READ -> AclOperation.READ;
      case WRITE -> AclOperation.WRITE;
      case CREATE -> AclOperation.CREATE;
      case DELETE -> AclOperation.DELETE;
      case ALTER -> AclOperation.ALTER;
      case DESCRIBE -> AclOperation.DESCRIBE;
      case CLUSTERACTION -> AclOperation.CLUSTER_ACTION;
      case ALTERCONFIGS -> AclOperation.ALTER_CONFIGS;
      case DESCRIBECONFIGS -> AclOperation.DESCRIBE_CONFIGS;
      case IDEMPOTENTWRITE -> AclOperation.IDEMPOTENT_WRITE;
      case ALL -> AclOperation.ALL;
    };
  }
}

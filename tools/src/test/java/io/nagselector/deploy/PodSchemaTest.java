package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The Pod check finds what the API server refuses, and only that. */
class PodSchemaTest {
  private static JsonNode pod(String spec) throws Exception {
    return new ObjectMapper()
        .readTree(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":"
                + spec.replace('\'', '"')
                + "}");
  }

  @Test
  void acceptsAValidPod() throws Exception {
    assertThat(
            PodSchema.violations(
                pod(
                    "{'containers':[{'name':'main','image':'i','ports':[{'name':'rest','containerPort':8081}],"
                        + "'resources':{'limits':{'memory':'1.5Gi','cpu':'500m'}},"
                        + "'volumeMounts':[{'name':'data','mountPath':'/data'}]}],"
                        + "'volumes':[{'name':'data','emptyDir':{}}]}")))
        .isEmpty();
  }

  @Test
  void findsWhatTheSchemaForbids() throws Exception {
    assertThat(
            PodSchema.violations(
                pod(
                    "{'containers':[{'name':'main','imagePolicy':'x','ports':[{'containerPort':'80'}],"
                        + "'resources':{'limits':{'memory':'1 Gi'}}}],'hostPID':'yes'}")))
        .containsExactlyInAnyOrder(
            "pod.spec.containers[0].imagePolicy: unknown field",
            "pod.spec.containers[0].ports[0].containerPort: not an int32 (\"80\")",
            "pod.spec.containers[0].resources.limits.memory: not a quantity (\"1 Gi\")",
            "pod.spec.hostPID: not a boolean (\"yes\")");
  }

  @Test
  void findsWhatOnlyTheApiServersRulesForbid() throws Exception {
    assertThat(
            PodSchema.violations(
                pod(
                    "{'containers':[{'name':'main','volumeMounts':[{'name':'a','mountPath':'/a'},"
                        + "{'name':'b','mountPath':'/a'},{'name':'gone','mountPath':'/g'}]},{'name':'main'}],"
                        + "'volumes':[{'name':'a','emptyDir':{},'configMap':{'name':'c'}},{'name':'b'},"
                        + "{'name':'b','emptyDir':{}}]}")))
        .containsExactlyInAnyOrder(
            "volume a: may not specify more than 1 volume type [emptyDir, configMap]",
            "volume b: must specify a volume type",
            "volume b: a second volume of that name",
            "container main: a second mount at /a",
            "container main: mount /g names no volume of the pod: gone",
            "container main: a second container of that name");
  }
}

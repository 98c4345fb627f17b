package tandem.app.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tandem.app.kubernetes.Manifests.all;
import static tandem.app.kubernetes.Manifests.one;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tandem.coordinator.control.ApiSettings;
import tandem.coordinator.kubernetes.ApiCall;
import tandem.coordinator.kubernetes.KubernetesScaler;

/**
 * The manifests in k8s/ against the code: every overlay renders and parses, labels match selectors, and
 * the ports, environment variables, config keys, RBAC rules and probes they name are the ones the code
 * uses. No cluster needed; kubectl (for kustomize) is.
 */
class KubernetesManifestsTest {
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    static final Set<String> ROLES = Set.of("coordinator", "gpu-worker", "data-worker");

    /**
     * Variables a container may set that no tandem source reads because the platform does: the java
     * launcher reads JDK_JAVA_OPTIONS; OMP_NUM_THREADS caps ND4J's native (OpenMP) threads (and
     * KubernetesBootstrap logs it).
     */
    static final Map<String, String> PLATFORM_ENV = Map.of(
            "JDK_JAVA_OPTIONS", "the java launcher",
            "OMP_NUM_THREADS", "ND4J's OpenMP runtime");

    // ---- rendering and parsing -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyOverlayRendersIntoTypedObjects(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        Map<String, Long> kinds = objects.stream().collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting()));
        assertEquals(Map.ofEntries(Map.entry("ServiceAccount", 1L), Map.entry("Role", 1L), Map.entry("RoleBinding", 1L),
                Map.entry("ConfigMap", 1L), Map.entry("Secret", 1L), Map.entry("PersistentVolumeClaim", 1L),
                Map.entry("Deployment", 3L), Map.entry("PodDisruptionBudget", 1L), Map.entry("HorizontalPodAutoscaler", 1L),
                Map.entry("Service", 2L), Map.entry("NetworkPolicy", 1L)), kinds);
        for (String role : ROLES) {
            one(objects, Deployment.class, "tandem-" + role);
        }
        objects.forEach(o -> assertEquals("tandem", o.getMetadata().getNamespace(), () -> o.getKind() + " " + o.getMetadata().getName()));
    }

    @Test
    void theBaseRendersToo() {
        Manifests.parse(Manifests.kustomize(Manifests.repo().resolve("k8s/base")));
    }

    // ---- labels and selectors ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void labelsMatchSelectors(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        List<Deployment> deployments = all(objects, Deployment.class);
        for (Deployment d : deployments) {
            Map<String, String> pod = podLabels(d);
            assertTrue(matches(d.getSpec().getSelector(), pod), () -> d.getMetadata().getName() + ": selector does not match its pods");
            assertEquals("tandem", pod.get(NAME_LABEL));
            assertEquals(d.getMetadata().getName(), "tandem-" + pod.get(COMPONENT_LABEL));
            // The selector singles out this Deployment's pods.
            deployments.stream().filter(other -> other != d).forEach(other -> assertFalse(
                    matches(d.getSpec().getSelector(), podLabels(other)), () -> d.getMetadata().getName() + " selects " + other.getMetadata().getName()));
            var affinity = d.getSpec().getTemplate().getSpec().getAffinity();
            if (affinity != null && affinity.getPodAntiAffinity() != null) {
                affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution().forEach(term ->
                        assertTrue(matches(term.getPodAffinityTerm().getLabelSelector(), pod), "anti-affinity misses its own pods"));
            }
        }
        Service api = one(objects, Service.class, "tandem-api");
        assertEquals(Set.of("tandem-coordinator"), selected(api.getSpec().getSelector(), deployments));
        Service management = one(objects, Service.class, "tandem-management");
        assertEquals(Set.of("tandem-coordinator", "tandem-gpu-worker", "tandem-data-worker"), selected(management.getSpec().getSelector(), deployments));
        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class, "tandem-coordinator");
        assertEquals(Set.of("tandem-coordinator"), deployments.stream().filter(d -> matches(pdb.getSpec().getSelector(), podLabels(d)))
                .map(d -> d.getMetadata().getName()).collect(Collectors.toSet()));
        NetworkPolicy policy = one(objects, NetworkPolicy.class, "tandem");
        deployments.forEach(d -> assertTrue(matches(policy.getSpec().getPodSelector(), podLabels(d)),
                () -> "the NetworkPolicy does not cover " + d.getMetadata().getName()));

        // Cluster Bootstrap's contact points: every tandem pod (pekko.discovery.kubernetes-api.pod-label-selector).
        Config config = effectiveConfig(objects);
        String selector = config.getString("pekko.discovery.kubernetes-api.pod-label-selector")
                .replace("%s", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
        Map<String, String> wanted = parseSelector(selector);
        deployments.forEach(d -> assertTrue(podLabels(d).entrySet().containsAll(wanted.entrySet()),
                () -> "discovery selector " + selector + " misses " + d.getMetadata().getName()));
        // Discovery skips pods whose container of this name is waiting: it must be the pods' (only) container.
        String container = config.getString("pekko.discovery.kubernetes-api.container-name");
        deployments.forEach(d -> assertEquals(List.of(container), containers(d).stream().map(Container::getName).toList()));
    }

    // ---- ports -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void containerPortsAreTheOnesTheCodeListensOn(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        Config config = effectiveConfig(objects);
        int remoting = config.getInt("pekko.remote.artery.canonical.port");
        int management = config.getInt("pekko.management.http.port");
        int api = ApiSettings.fromConfig(config, Map.of()).port();
        assertEquals(17355, remoting);
        assertEquals(7626, management);
        assertEquals(8080, api);
        String managementPortName = config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name");
        for (Deployment d : all(objects, Deployment.class)) {
            Map<String, Integer> expected = new LinkedHashMap<>();
            expected.put("remoting", remoting);
            expected.put(managementPortName, management);
            if (d.getMetadata().getName().equals("tandem-coordinator")) {
                expected.put("http", api);
            }
            assertEquals(expected, ports(containers(d).get(0)), d.getMetadata().getName());
        }
        for (Service service : all(objects, Service.class)) {
            for (var port : service.getSpec().getPorts()) {
                for (String target : selected(service.getSpec().getSelector(), all(objects, Deployment.class))) {
                    Map<String, Integer> pod = ports(containers(one(objects, Deployment.class, target)).get(0));
                    IntOrString t = port.getTargetPort();
                    assertTrue(t.getStrVal() != null ? pod.containsKey(t.getStrVal()) : pod.containsValue(t.getIntVal()),
                            () -> "service " + service.getMetadata().getName() + " targets " + t + ", not a port of " + target);
                    assertEquals(pod.get(t.getStrVal()), port.getPort());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theNetworkPolicyOpensRemotingOnlyBetweenTandemPods(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        Config config = effectiveConfig(objects);
        int remoting = config.getInt("pekko.remote.artery.canonical.port");
        int management = config.getInt("pekko.management.http.port");
        int api = ApiSettings.fromConfig(config, Map.of()).port();
        NetworkPolicy policy = one(objects, NetworkPolicy.class, "tandem");
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        List<Map<String, String>> tandemPods = all(objects, Deployment.class).stream().map(KubernetesManifestsTest::podLabels).toList();
        Set<Integer> fromTandemOnly = new HashSet<>();
        Set<Integer> fromAnywhere = new HashSet<>();
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            Set<Integer> ports = rule.getPorts().stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toSet());
            rule.getPorts().forEach(p -> assertEquals("TCP", p.getProtocol()));
            if (rule.getFrom() == null || rule.getFrom().isEmpty()) {
                fromAnywhere.addAll(ports);
            } else {
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertNull(peer.getIpBlock(), "an ipBlock peer");
                    assertNull(peer.getNamespaceSelector(), "a namespace selector peer");
                    assertTrue(tandemPods.stream().allMatch(pod -> matches(peer.getPodSelector(), pod)), "peer misses tandem pods");
                    assertEquals(Map.of(NAME_LABEL, "tandem"), peer.getPodSelector().getMatchLabels(), "peer wider than tandem pods");
                }
                fromTandemOnly.addAll(ports);
            }
        }
        assertEquals(Set.of(remoting, management), fromTandemOnly);
        assertEquals(Set.of(api), fromAnywhere);
    }

    // ---- environment and configuration -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void envVarsAreOnesTheCodeReads(String overlay) throws IOException {
        Set<String> read = tandemEnvReadByCode();
        assertTrue(read.containsAll(Set.of("TANDEM_HOST", "TANDEM_STATE_DIR", "TANDEM_API_TOKEN", "TANDEM_API_HOST",
                KubernetesBootstrap.ENV, "TANDEM_NAMESPACE")), "scan found " + read);
        List<HasMetadata> objects = Manifests.overlay(overlay);
        for (Deployment d : all(objects, Deployment.class)) {
            Container c = containers(d).get(0);
            Set<String> referenced = new HashSet<>();
            Matcher m = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)").matcher(String.join(" ", c.getArgs()));
            while (m.find()) {
                referenced.add(m.group(1));
            }
            Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
            assertEquals(c.getEnv().size(), env.size(), "an env var set twice in " + d.getMetadata().getName());
            assertTrue(env.keySet().containsAll(referenced), () -> d.getMetadata().getName() + ": args use " + referenced);
            for (String name : env.keySet()) {
                assertTrue(read.contains(name) || PLATFORM_ENV.containsKey(name) || referenced.contains(name),
                        () -> d.getMetadata().getName() + " sets " + name + ", which no code reads");
            }
            String what = d.getMetadata().getName();
            assertTrue(KubernetesBootstrap.enabled(Map.of(KubernetesBootstrap.ENV, env.get(KubernetesBootstrap.ENV).getValue())), what);
            assertEquals("status.podIP", env.get("TANDEM_HOST").getValueFrom().getFieldRef().getFieldPath(), what);
            assertEquals("metadata.namespace", env.get("TANDEM_NAMESPACE").getValueFrom().getFieldRef().getFieldPath(), what);
            var cpu = env.get("OMP_NUM_THREADS").getValueFrom().getResourceFieldRef();
            assertEquals("limits.cpu", cpu.getResource(), what);
            assertEquals(c.getName(), cpu.getContainerName(), what);
            assertEquals(new Quantity("1"), cpu.getDivisor(), what);
            assertEquals(d.getMetadata().getName(), "tandem-" + c.getArgs().get(0), "the first argument is the role");
        }
        Deployment coordinator = one(objects, Deployment.class, "tandem-coordinator");
        Container c = containers(coordinator).get(0);
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        var token = env.get(ApiSettings.TOKEN_ENV).getValueFrom().getSecretKeyRef();
        Secret secret = one(objects, Secret.class, token.getName());
        // No value in the manifest: `kubectl apply -k` then never overwrites the token created by hand.
        assertTrue((secret.getData() == null || secret.getData().isEmpty()) && (secret.getStringData() == null || secret.getStringData().isEmpty()),
                "the Secret must not carry a token (README: create it before the first apply)");
        assertEquals("token", token.getKey());
        // The API listens on every address of the pod, which it only does with a token.
        assertEquals("0.0.0.0", env.get("TANDEM_API_HOST").getValue());
        // The state dir is on the shared volume, and the coordinator reads it (tandem.coordinator.state-dir).
        String stateDir = env.get("TANDEM_STATE_DIR").getValue();
        VolumeMount data = mountOf(coordinator, stateDir);
        Volume volume = volume(coordinator, data.getName());
        assertNotNull(volume.getPersistentVolumeClaim(), "the state dir is not on the PersistentVolumeClaim");
        one(objects, PersistentVolumeClaim.class, volume.getPersistentVolumeClaim().getClaimName());
        assertTrue(ConfigFactory.parseString("TANDEM_STATE_DIR = \"" + stateDir + "\"")
                .withFallback(ConfigFactory.parseResourcesAnySyntax("application")).resolve()
                .getString(tandem.app.node.TandemNode.STATE_DIR).equals(stateDir), "tandem.coordinator.state-dir does not read TANDEM_STATE_DIR");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theConfigMapSetsOnlyKeysTheAppKnowsAndIsMountedWhereKubernetesConfLooks(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        ConfigMap configMap = one(objects, ConfigMap.class, "tandem-config");
        Path file = Path.of(KubernetesBootstrap.OVERRIDES_FILE);
        assertEquals(Set.of(file.getFileName().toString()), configMap.getData().keySet());
        Config overrides = ConfigFactory.parseString(configMap.getData().get(file.getFileName().toString()));
        Config known = KubernetesBootstrap.load();
        for (var entry : overrides.entrySet()) {
            assertTrue(known.hasPath(entry.getKey()), () -> "tandem-config sets " + entry.getKey() + ", a key the app does not have");
        }
        assertTrue(resource("kubernetes.conf").contains("include file(\"" + KubernetesBootstrap.OVERRIDES_FILE + "\")"),
                "kubernetes.conf does not include " + KubernetesBootstrap.OVERRIDES_FILE);
        for (Deployment d : all(objects, Deployment.class)) {
            VolumeMount mount = mountOf(d, KubernetesBootstrap.OVERRIDES_FILE);
            assertEquals(file.getParent().toString(), mount.getMountPath());
            assertTrue(mount.getReadOnly());
            assertEquals(configMap.getMetadata().getName(), volume(d, mount.getName()).getConfigMap().getName());
        }
        // The overrides parse against the app's config (sizes, durations in the right places).
        ApiSettings.fromConfig(effectiveConfig(objects), Map.of());
    }

    // ---- cluster formation and the coordinator ----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void bootstrapNeedsAsManyContactPointsAsThereAreCoordinators(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        Config config = effectiveConfig(objects);
        Deployment coordinator = one(objects, Deployment.class, "tandem-coordinator");
        int replicas = coordinator.getSpec().getReplicas();
        assertEquals(2, replicas, "active singleton + standby");
        assertEquals(replicas, config.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        assertEquals("kubernetes-api", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
        assertEquals("kubernetes-api", config.getString("pekko.discovery.method"));
        assertTrue(config.getBoolean("pekko.discovery.kubernetes-api.use-raw-ip"));
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider", config.getString("pekko.cluster.downing-provider-class"));
        assertTrue(config.getList("pekko.cluster.seed-nodes").isEmpty(), "Cluster Bootstrap bails out when seed nodes are set");
        assertEquals("0.0.0.0", config.getString("pekko.management.http.bind-hostname"));
        var rollout = coordinator.getSpec().getStrategy();
        assertEquals("RollingUpdate", rollout.getType());
        assertEquals(new IntOrString(0), rollout.getRollingUpdate().getMaxUnavailable());
        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class, "tandem-coordinator");
        assertEquals(new IntOrString(1), pdb.getSpec().getMinAvailable());
        // Workers: their replicas belong to the scaler and the HPA, never to a re-applied manifest.
        assertNull(one(objects, Deployment.class, "tandem-gpu-worker").getSpec().getReplicas());
        assertNull(one(objects, Deployment.class, "tandem-data-worker").getSpec().getReplicas());
        HorizontalPodAutoscaler hpa = one(objects, HorizontalPodAutoscaler.class, "tandem-data-worker");
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals("tandem-data-worker", hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() >= 1 && hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas());
        assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName());
    }

    // ---- RBAC ----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void rbacCoversExactlyTheApiCallsTheCodeMakes(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        Config config = effectiveConfig(objects);
        KubernetesScaler.Settings settings = KubernetesScaler.Settings.fromConfig(config, "tandem");
        Set<String> needed = new TreeSet<>();
        List<ApiCall> calls = new java.util.ArrayList<>(KubernetesBootstrap.API_CALLS);
        calls.addAll(KubernetesScaler.apiCalls(settings));
        for (ApiCall call : calls) {
            needed.add(key(call.group(), call.resource(), call.verb(), call.resourceNames()));
        }
        Role role = one(objects, Role.class, "tandem");
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty());
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        assertFalse(group.equals("*") || resource.equals("*") || verb.equals("*"), "a wildcard rule");
                        granted.add(key(group, resource, verb, rule.getResourceNames()));
                    }
                }
            }
        }
        assertEquals(needed, granted, "Role tandem vs KubernetesBootstrap.API_CALLS + KubernetesScaler.apiCalls");
        // ... and the objects the scaler names exist.
        one(objects, Deployment.class, settings.gpuDeployment());
        one(objects, Deployment.class, settings.dataDeployment());
        one(objects, HorizontalPodAutoscaler.class, settings.dataHpa());
        assertEquals("", config.getString("tandem.kubernetes.namespace"), "the scaler uses the pod's namespace");

        ServiceAccount account = one(objects, ServiceAccount.class, "tandem");
        RoleBinding binding = one(objects, RoleBinding.class, "tandem");
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals(1, binding.getSubjects().size());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());
        for (Deployment d : all(objects, Deployment.class)) {
            assertEquals(account.getMetadata().getName(), d.getSpec().getTemplate().getSpec().getServiceAccountName());
        }
    }

    // ---- probes, resources, security ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void probesPointAtManagementRoutes(String overlay) {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        Config config = effectiveConfig(objects);
        String alive = "/" + config.getString("pekko.management.health-checks.liveness-path");
        String ready = "/" + config.getString("pekko.management.health-checks.readiness-path");
        assertEquals("/alive", alive);
        assertEquals("/ready", ready);
        assertEquals("", config.getString("pekko.management.http.base-path"));
        for (Deployment d : all(objects, Deployment.class)) {
            Container c = containers(d).get(0);
            Map<String, Integer> ports = ports(c);
            for (var probe : Map.of(alive, List.of(c.getStartupProbe(), c.getLivenessProbe()), ready, List.of(c.getReadinessProbe())).entrySet()) {
                for (Probe p : probe.getValue()) {
                    assertNotNull(p, () -> d.getMetadata().getName() + ": a probe is missing");
                    assertEquals(probe.getKey(), p.getHttpGet().getPath(), d.getMetadata().getName());
                    assertEquals(config.getInt("pekko.management.http.port"), ports.get(p.getHttpGet().getPort().getStrVal()),
                            d.getMetadata().getName() + ": probe not on the management port");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyContainerHasRequestsAndLimitsAndRunsLockedDown(String overlay) throws IOException {
        List<HasMetadata> objects = Manifests.overlay(overlay);
        String dockerfile = Files.readString(Manifests.repo().resolve("k8s/Dockerfile"));
        Matcher cacheDir = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.cachedir=([^\"\\s]+)").matcher(dockerfile);
        assertTrue(cacheDir.find(), "the Dockerfile sets no JavaCPP cache dir");
        for (Deployment d : all(objects, Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertTrue(pod.getSecurityContext().getRunAsNonRoot());
            assertTrue(dockerfile.contains("USER " + pod.getSecurityContext().getRunAsUser() + ":"), "runAsUser is not the image's user");
            assertTrue(pod.getInitContainers() == null || pod.getInitContainers().isEmpty());
            for (Container c : pod.getContainers()) {
                String what = d.getMetadata().getName() + "/" + c.getName();
                for (String resource : List.of("cpu", "memory")) {
                    assertNotNull(c.getResources().getRequests().get(resource), what + ": no " + resource + " request");
                    assertNotNull(c.getResources().getLimits().get(resource), what + ": no " + resource + " limit");
                    assertTrue(Quantity.getAmountInBytes(c.getResources().getRequests().get(resource))
                            .compareTo(Quantity.getAmountInBytes(c.getResources().getLimits().get(resource))) <= 0, what + ": request above limit");
                }
                assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), what);
                assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation(), what);
                assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), what);
                // Writable volumes where the JVM writes: /tmp, and JavaCPP's cache where the image points it.
                assertNotNull(volume(d, mountOf(d, "/tmp/x").getName()).getEmptyDir(), what + ": /tmp is not an emptyDir");
                VolumeMount cache = mountOf(d, cacheDir.group(1) + "/x");
                assertEquals(cacheDir.group(1), cache.getMountPath(), what);
                assertNotNull(volume(d, cache.getName()).getEmptyDir(), what + ": JavaCPP's cache is not an emptyDir");
                assertTrue(cache.getReadOnly() == null || !cache.getReadOnly());
            }
        }
    }

    @Test
    void onlyTheGpuOverlayAsksForGpusAndItsImage() {
        for (String overlay : Manifests.OVERLAYS) {
            List<HasMetadata> objects = Manifests.overlay(overlay);
            for (Deployment d : all(objects, Deployment.class)) {
                Container c = containers(d).get(0);
                boolean gpu = overlay.equals("gpu") && d.getMetadata().getName().equals("tandem-gpu-worker");
                assertEquals(gpu ? new Quantity("1") : null, c.getResources().getLimits().get("nvidia.com/gpu"), overlay + " " + d.getMetadata().getName());
                assertTrue(c.getImage().endsWith(gpu ? "-gpu" : "-cpu"), overlay + " " + d.getMetadata().getName() + ": image " + c.getImage());
            }
        }
    }

    @Test
    void theDockerfileBuildsBothVariantsAndExposesThePortsTheManifestsUse() throws IOException {
        String dockerfile = Files.readString(Manifests.repo().resolve("k8s/Dockerfile"));
        assertTrue(dockerfile.contains("gpu) profile=\"-Pcuda\""), "the gpu variant builds with -Pcuda");
        assertTrue(Pattern.compile("CUDA_IMAGE=nvidia/cuda:11\\.6[.\\d]*-cudnn8-runtime").matcher(dockerfile).find(), "CUDA 11.6 + cuDNN 8 runtime base");
        assertTrue(dockerfile.contains("JRE_IMAGE=eclipse-temurin:17-jre"), "JRE 17 base");
        assertTrue(dockerfile.contains("./mvnw"), "built with the Maven Wrapper");
        assertTrue(dockerfile.contains("\"-jar\", \"/opt/tandem/tandem.jar\"]"), "the role is the argument of the jar");
        Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
        assertTrue(expose.find());
        Set<Integer> exposed = Set.of(expose.group(1).trim().split("\\s+")).stream().map(Integer::valueOf).collect(Collectors.toSet());
        Set<Integer> used = all(Manifests.overlay("cpu"), Deployment.class).stream()
                .flatMap(d -> containers(d).get(0).getPorts().stream()).map(ContainerPort::getContainerPort).collect(Collectors.toSet());
        assertEquals(used, exposed);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** kubernetes.conf with the overlay's ConfigMap overrides on top: what a pod runs with. */
    static Config effectiveConfig(List<HasMetadata> objects) {
        ConfigMap configMap = one(objects, ConfigMap.class, "tandem-config");
        String file = Path.of(KubernetesBootstrap.OVERRIDES_FILE).getFileName().toString();
        return ConfigFactory.parseString(configMap.getData().get(file)).withFallback(KubernetesBootstrap.load()).resolve();
    }

    /** Every TANDEM_* name in the main sources and resources of the modules (what code and config read). */
    static Set<String> tandemEnvReadByCode() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern env = Pattern.compile("TANDEM_[A-Z0-9_]+");
        for (String module : List.of("proto", "coordinator", "data-worker", "gpu-worker", "app")) {
            for (Path file : Manifests.files(Manifests.repo().resolve(module).resolve("src/main"), ".java", ".conf", ".xml")) {
                Matcher m = env.matcher(Files.readString(file));
                while (m.find()) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    static String resource(String name) {
        try (var in = KubernetesManifestsTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Map<String, String> podLabels(Deployment d) {
        return d.getSpec().getTemplate().getMetadata().getLabels();
    }

    static List<Container> containers(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers();
    }

    static Map<String, Integer> ports(Container c) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
        return ports;
    }

    /** The mount of the container that holds {@code path} (the longest mount path above it). */
    static VolumeMount mountOf(Deployment d, String path) {
        return containers(d).get(0).getVolumeMounts().stream()
                .filter(m -> path.startsWith(m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/"))
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()))
                .orElseThrow(() -> new AssertionError(d.getMetadata().getName() + ": nothing mounted above " + path));
    }

    static Volume volume(Deployment d, String name) {
        return d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(d.getMetadata().getName() + ": no volume " + name));
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertTrue(selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty(), "matchExpressions are not checked here");
        return selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()
                && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    static Set<String> selected(Map<String, String> selector, List<Deployment> deployments) {
        return deployments.stream().filter(d -> podLabels(d).entrySet().containsAll(selector.entrySet()))
                .map(d -> d.getMetadata().getName()).collect(Collectors.toSet());
    }

    static Map<String, String> parseSelector(String selector) {
        Map<String, String> labels = new HashMap<>();
        for (String term : selector.split(",")) {
            String[] kv = term.split("=", 2);
            assertEquals(2, kv.length, "only equality selectors: " + selector);
            labels.put(kv[0].trim(), kv[1].trim());
        }
        return labels;
    }

    static String key(String group, String resource, String verb, List<String> names) {
        return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource + " " + new TreeSet<>(names == null ? List.of() : names);
    }
}

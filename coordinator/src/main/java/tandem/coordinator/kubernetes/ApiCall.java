package tandem.coordinator.kubernetes;

import java.util.List;

/**
 * One kind of Kubernetes API request that tandem's code makes: what its RBAC Role must allow, no more
 * ({@code k8s/base/rbac.yaml}; a test compares the two). {@code resource} is the plural name, with
 * {@code /subresource} when it is one (e.g. {@code deployments/scale}); {@code group} is "" for the
 * core API; {@code resourceNames} empty means any object of that resource in the namespace.
 */
public record ApiCall(String group, String resource, String verb, List<String> resourceNames) {

    public ApiCall {
        resourceNames = List.copyOf(resourceNames);
    }

    public ApiCall(String group, String resource, String verb) {
        this(group, resource, verb, List.of());
    }

    @Override
    public String toString() {
        return verb + " " + (group.isEmpty() ? "" : group + "/") + resource
                + (resourceNames.isEmpty() ? "" : " " + resourceNames);
    }
}

/** The names Istio, the GKE add-on and the operator give to what rules look for. */

/** The namespace of the control plane and the ingress gateway (add-on and operator alike). */
export const ISTIO_SYSTEM = 'istio-system';
/** The label naming an istiod revision, on istiod and on the namespaces and pods that select it. */
export const REVISION_LABEL = 'istio.io/rev';
/** The namespace label of the 1.4 injector (`istio-injection=enabled`). */
export const INJECTION_LABEL = 'istio-injection';
/** The sidecar container the injector adds, and the proxy container of gateway pods. */
export const PROXY_CONTAINER = 'istio-proxy';
/** The `app` label of the ingress gateway pods (add-on and operator alike). */
export const INGRESS_GATEWAY_APP = 'istio-ingressgateway';

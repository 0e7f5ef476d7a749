/* placeholder */
#include "kubelet_sim.h"
void kubelet_eviction_start(struct kubelet *kubelet) { (void)kubelet; }
void kubelet_eviction_stop(struct kubelet *kubelet) { (void)kubelet; }
bool kubelet_eviction_memory_pressure(const struct kubelet *kubelet) { return kubelet->memory_pressure; }

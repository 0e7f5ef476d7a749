build/sim/cluster.o: sim/cluster.c sim/cluster.h sim/client.h sim/clock.h \
 sim/store.h sim/object.h sim/schema.h sim/err.h sim/quantity.h \
 sim/strmap.h sim/scenario.h sim/diag.h sim/expect.h sim/selector.h \
 sim/image.h sim/api_node.h sim/api_common.h sim/trace.h sim/api.h \
 sim/api_pod.h sim/api_storage.h sim/api_workloads.h sim/api_batch.h \
 sim/api_service.h sim/api_misc.h sim/controller.h sim/duration.h \
 sim/engine.h sim/json.h sim/kubelet.h sim/release.h sim/sched.h \
 sim/xmalloc.h
sim/cluster.h:
sim/client.h:
sim/clock.h:
sim/store.h:
sim/object.h:
sim/schema.h:
sim/err.h:
sim/quantity.h:
sim/strmap.h:
sim/scenario.h:
sim/diag.h:
sim/expect.h:
sim/selector.h:
sim/image.h:
sim/api_node.h:
sim/api_common.h:
sim/trace.h:
sim/api.h:
sim/api_pod.h:
sim/api_storage.h:
sim/api_workloads.h:
sim/api_batch.h:
sim/api_service.h:
sim/api_misc.h:
sim/controller.h:
sim/duration.h:
sim/engine.h:
sim/json.h:
sim/kubelet.h:
sim/release.h:
sim/sched.h:
sim/xmalloc.h:

build/sim/client.o: sim/client.c sim/client.h sim/clock.h sim/store.h \
 sim/object.h sim/schema.h sim/err.h sim/quantity.h sim/strmap.h \
 sim/admission.h sim/api.h sim/api_common.h sim/api_pod.h sim/api_node.h \
 sim/api_storage.h sim/api_workloads.h sim/api_batch.h sim/api_service.h \
 sim/api_misc.h sim/json.h sim/trace.h sim/xmalloc.h
sim/client.h:
sim/clock.h:
sim/store.h:
sim/object.h:
sim/schema.h:
sim/err.h:
sim/quantity.h:
sim/strmap.h:
sim/admission.h:
sim/api.h:
sim/api_common.h:
sim/api_pod.h:
sim/api_node.h:
sim/api_storage.h:
sim/api_workloads.h:
sim/api_batch.h:
sim/api_service.h:
sim/api_misc.h:
sim/json.h:
sim/trace.h:
sim/xmalloc.h:

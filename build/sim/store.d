build/sim/store.o: sim/store.c sim/store.h sim/clock.h sim/object.h \
 sim/schema.h sim/err.h sim/quantity.h sim/strmap.h sim/api.h \
 sim/api_common.h sim/api_pod.h sim/api_node.h sim/api_storage.h \
 sim/api_workloads.h sim/api_batch.h sim/api_service.h sim/api_misc.h \
 sim/hashmap.h sim/prng.h sim/selector.h sim/xmalloc.h
sim/store.h:
sim/clock.h:
sim/object.h:
sim/schema.h:
sim/err.h:
sim/quantity.h:
sim/strmap.h:
sim/api.h:
sim/api_common.h:
sim/api_pod.h:
sim/api_node.h:
sim/api_storage.h:
sim/api_workloads.h:
sim/api_batch.h:
sim/api_service.h:
sim/api_misc.h:
sim/hashmap.h:
sim/prng.h:
sim/selector.h:
sim/xmalloc.h:

build/sim/trace.o: sim/trace.c sim/trace.h sim/clock.h sim/err.h \
 sim/object.h sim/schema.h sim/quantity.h sim/strmap.h sim/store.h \
 sim/json.h sim/xmalloc.h
sim/trace.h:
sim/clock.h:
sim/err.h:
sim/object.h:
sim/schema.h:
sim/quantity.h:
sim/strmap.h:
sim/store.h:
sim/json.h:
sim/xmalloc.h:

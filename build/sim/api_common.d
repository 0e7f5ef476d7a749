build/sim/api_common.o: sim/api_common.c sim/api_common.h sim/object.h \
 sim/clock.h sim/schema.h sim/err.h sim/quantity.h sim/strmap.h \
 sim/selector.h sim/xmalloc.h
sim/api_common.h:
sim/object.h:
sim/clock.h:
sim/schema.h:
sim/err.h:
sim/quantity.h:
sim/strmap.h:
sim/selector.h:
sim/xmalloc.h:

build/sim/workqueue.o: sim/workqueue.c sim/workqueue.h sim/clock.h \
 sim/hashmap.h sim/xmalloc.h
sim/workqueue.h:
sim/clock.h:
sim/hashmap.h:
sim/xmalloc.h:

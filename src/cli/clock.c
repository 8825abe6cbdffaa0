/*
 * clock.c - TOTP is only as good as the clock: ask the kernel whether it
 * considers the system clock synchronised (adjtimex, as ntpd and chrony
 * report it).
 */
#include <sys/timex.h>

#include "cli.h"

bool clock_synchronised(void)
{
	struct timex t = {0};

	return adjtimex(&t) != TIME_ERROR;
}

void clock_warn(void)
{
	if (!clock_synchronised())
		warnx_("warning: the system clock is not synchronised (no NTP); codes may be "
		       "wrong if it drifted");
}

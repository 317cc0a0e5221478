/*
 * secchat/3's session rules (secchat/2's: secchat/3 changed only how the keys
 * are made), as a Promela model for SPIN (issue 12).
 *
 * Two endpoints, a client and a server, each a copy of secchat.c's event
 * loop (run), joined by two FIFO links that can be reset.  The cryptography
 * is abstracted: a frame is its type, a number (a MSG's count, a BYE's
 * reason), the ACK of a BYE, and a flag saying it was forged.  Each step
 * names the function in secchat.c that implements it; the field names are
 * struct session's.
 *
 * What the environment may do, each at most once, at any point where one
 * endpoint still has a step of its own (so that none can hide a deadlock):
 *   - reset the connection (delivery stops for good, both sides see an error);
 *   - inject a forged frame into either link (the peer rejects it);
 *   - signal either endpoint;
 *   - make either endpoint's stdout fail, at a write or while drained()
 *     waits for the reader (stdout broken: BYE 2);
 *   - the user may type `exit`; stdin may hold up to NMSG messages; a slow
 *     reader makes drained() say "not yet" (the closing step waits while
 *     everything else goes on).
 *
 * Switches (spin -D...):
 *   -DSECCHAT1   secchat/1's ending: END both ways ends the session with
 *                status 0, no BYE, no ACK, no wait for delivery.  Nobody
 *                types `exit`, so that every counterexample ends that way.
 *                Must violate property 2.
 *   -DEARLY_AUTH a server that signs and sends its AUTH as soon as the
 *                client's HELLO checks out, before the client's AUTH has
 *                verified.  Must violate property 5.
 *   -DNO_DRAIN   BYE 0's ACK counts the MSGs written to stdout, without
 *                drained(): a pipe's reader may still go away with them.
 *                Must violate property 2.
 *   -DNO_ANSWER  the peer's BYE 0 is not answered (BYE 0 only on `exit` or
 *                END both ways).  Must violate property 1: a deadlock.
 *   -DLITERAL_P3 property 3 exactly as issue 12 words it, without excusing
 *                a message that crossed the peer's `exit` (which issue 9
 *                requires to end non-zero).  Fails by design.
 *   -DCLAIM_ONLY the properties' assertions off: only the LTL claim checks.
 *   -DNMSG=n     messages each side may send (default 2).
 */

#ifndef NMSG
#define NMSG	2
#endif

mtype = { COMMIT, HELLO, AUTH, MSG, END, BYE };

#define CLIENT	0
#define SERVER	1
#define NONE	3		/* sent_bye, got_bye: -1 in the C */
#define R_USER	0		/* BYE reasons */
#define R_SIGNAL 1
#define R_LOCAL	2
#define SIGSTATUS 130		/* 128 + SIGINT */

/* enum { P_COMMIT, P_HELLO, P_AUTH, P_OPEN }: what we expect from the peer next */
#define P_COMMIT 0
#define P_HELLO	1
#define P_AUTH	2
#define P_OPEN	3

/* link[0]: client -> server, link[1]: server -> client.  { type, n, ACK, forged } */
chan link[2] = [8] of { mtype, byte, byte, bit };

/* struct session, one per endpoint */
byte phase[2];
byte nsent[2];			/* MSGs we sent */
byte written[2];		/* the peer's MSGs written to stdout */
byte acked[2];			/* ... and delivered (drained() said yes) */
byte peer_ack[2];		/* the ACK in the peer's BYE 0 */
bit sent_end[2], got_end[2];
byte sent_bye[2] = NONE, got_bye[2] = NONE;
bit quit[2];			/* the user typed `exit` */
bit in_eof[2];			/* stdin ended */
bit out_broken[2];		/* stdout failed: drop what arrives */
byte status[2];			/* exit status; the first cause wins */

/* The world, and what the properties observe (ghosts: not in the C) */
bit reset;			/* no more delivery: an RST, by the network or by a close */
bit net_reset;			/* the network reset the connection */
bit forged;			/* a forged frame was injected */
bit sigd[2];			/* the endpoint was signalled */
bit dfail[2];			/* its delivery failed (write error, reader gone) */
bit crossed;			/* the peer's MSGs or unsent input crossed our `exit` */
bit exited[2];
bit busy[2] = 1;		/* not in run()'s loop: starting, or on the way out */
byte dlv[2];			/* the peer's MSGs its reader really took */
byte endat[2] = 255;		/* nsent when we sent END or BYE */
/* Each assertion of a property checks a bit named after it, so that SPIN's
 * report says which property failed: "assertion violated property5". */
bit property2 = 1, property3 = 1, property4 = 1, property5 = 1;

/* -DCLAIM_ONLY: leave the properties to the LTL claim alone, so that a broken
 * variant's run shows that the claim itself catches it */
#ifdef CLAIM_ONLY
#define check(p)	skip
#else
#define check(p)	assert(p)
#endif
bit srv_got_commit, srv_sent_hello, srv_auth_ok, srv_sent_auth;

#define PEER	(1 - me)
#define IN	link[1 - me]
#define OUT	link[me]

/* fail(): the first cause of failure decides the status */
inline fail()
{
	if
	:: status[me] == 0 -> status[me] = 1
	:: else
	fi
}

/* frame_start + flush_tx: into our kernel; after a reset it goes nowhere */
inline snd(t, n, ack)
{
	if
	:: !reset -> assert(nfull(OUT)); OUT!t, n, ack, 0;
		printf("side %d sends %e %d %d\n", me, t, n, ack)
	:: else -> printf("side %d sends %e: lost in the reset\n", me, t)
	fi
}

/* send_close(T_BYE, reason): BYE's ACK is acked, the peer MSGs delivered */
inline send_bye(reason)
{
	snd(BYE, reason, acked[me]);
	sent_bye[me] = reason;
	if
	:: endat[me] == 255 -> endat[me] = nsent[me]
	:: else
	fi
}

#define p4_nothing_after_end(n) \
	(!got_end[me] && got_bye[me] == NONE && n <= endat[PEER])

/*
 * The guards of the steps an endpoint takes by itself, one per branch of its
 * loop: a frame to read, end of stream, stdin (the user can always type or
 * end input), the closing rule, the end.  A signal, a reset or a forgery is
 * not one of them.
 */
#define RECV_G(x)	(got_bye[x] == NONE && !reset && len(link[1 - x]) > 0)
#define LOST_G(x)	(got_bye[x] == NONE && (reset || (len(link[1 - x]) == 0 && exited[1 - x])))
#define STDIN_G(x)	(phase[x] == P_OPEN && !sent_end[x] && !quit[x] && \
			 sent_bye[x] == NONE && got_bye[x] == NONE)
#if defined(NO_ANSWER)
/* BROKEN: the peer's BYE 0 is not answered; only exit or END both ways send BYE 0 */
#define FINISH_G(x)	(phase[x] == P_OPEN && sent_bye[x] == NONE && \
			 (quit[x] || (sent_end[x] && got_end[x])))
#define OVER_G(x)	(sent_bye[x] == R_USER && got_bye[x] == R_USER)
#elif !defined(SECCHAT1)
#define FINISH_G(x)	(phase[x] == P_OPEN && sent_bye[x] == NONE && \
			 (quit[x] || got_bye[x] == R_USER || (sent_end[x] && got_end[x])))
#define OVER_G(x)	(sent_bye[x] == R_USER && got_bye[x] == R_USER)
#else
#define FINISH_G(x)	false
#define OVER_G(x)	(phase[x] == P_OPEN && sent_end[x] && got_end[x] && sent_bye[x] == NONE)
#endif
#define OWN_G(x)	(RECV_G(x) || LOST_G(x) || STDIN_G(x) || FINISH_G(x) || OVER_G(x))

/*
 * Property 1 is checked as SPIN's invalid end states, and a signal, a reset
 * or a forgery would end any wait: so none of them may happen while both
 * endpoints are stuck (exited, or waiting in their loop with no step of
 * their own; busy[x] while it is on its way out of the loop).  Such a state
 * is then an end state, invalid unless both have exited.  Where the rules
 * have no such state, this takes no behaviour away.
 */
#define STUCK(x)	(exited[x] || (!busy[x] && !OWN_G(x)))
#define ALL_STUCK	(STUCK(0) && STUCK(1))

/* on the way out of run()'s loop */
inline leave()
{
	busy[me] = 1
}

/* the frame just handled leaves no trace in the state (nor in the C's rx buffer) */
inline forget()
{
	t = 0; n = 0; ack = 0; f = 0
}

proctype endpoint(bit me)
{
	mtype t;
	byte n, ack;
	bit f;

	/* converse: the client makes its HELLO and sends only COMMIT [send_commit, make_hello] */
	if
	:: me == CLIENT -> snd(COMMIT, 0, 0); phase[me] = P_HELLO
	:: else -> phase[me] = P_COMMIT
	fi;

	busy[me] = 0;

	/* run: one turn of the poll loop per step */
	do
	/* ---------------- the network [read_net -> recv_frame] ---------------- */
	:: atomic { RECV_G(me) -> IN?t, n, ack, f;
		printf("side %d receives %e %d %d forged=%d\n", me, t, n, ack, f);
		if
		:: f ->
			/* verify() fails, or SEQ, or (handshake) the COMMIT hash or T:
			 * a protocol error [fail]; run returns -1: no BYE, no linger */
			printf("side %d rejects it: protocol error\n", me); fail(); leave(); goto close
		:: else
		fi;
		if
		/* ---- handshake: any frame but the one expected next is a protocol error ---- */
		:: phase[me] == P_COMMIT ->		/* server [recv_frame -> recv_commit] */
			assert(t == COMMIT);		/* honest peers keep the order */
			srv_got_commit = 1;
			/* recv_commit: store C, answer with our HELLO [send_hello] */
			srv_sent_hello = 1;
			property5 = srv_got_commit; check(property5);
			snd(HELLO, 0, 0);
			phase[me] = P_HELLO
		:: phase[me] == P_HELLO && me == CLIENT ->	/* [recv_hello] */
			assert(t == HELLO);
			/* checks, pins, T; our HELLO (the one committed to) and AUTH [send_hello, send_auth] */
			snd(HELLO, 0, 0);
			snd(AUTH, 0, 0);
			phase[me] = P_AUTH
		:: phase[me] == P_HELLO && me == SERVER ->	/* [recv_hello] */
			assert(t == HELLO);
			/* SHA-256(HELLO) == C, checks, pins, T.  No private-key or X25519 work yet. */
			phase[me] = P_AUTH;
#ifdef EARLY_AUTH
			/* BROKEN: the server signs before the client proved it holds its key */
			srv_sent_auth = 1;
			property5 = srv_auth_ok; check(property5);
			snd(AUTH, 0, 0)
#else
			skip
#endif
		:: phase[me] == P_AUTH ->		/* [recv_auth] */
			assert(t == AUTH);
			if
			:: me == SERVER ->
				srv_auth_ok = 1;
#ifndef EARLY_AUTH
				/* only now does the server compute Z and sign and send its AUTH [session_keys, send_auth] */
				srv_sent_auth = 1;
				property5 = srv_auth_ok; check(property5);
				snd(AUTH, 0, 0);
#endif
			:: else
			fi;
			phase[me] = P_OPEN		/* established */
		/* ---- the session [recv_frame] ---- */
		:: phase[me] == P_OPEN && t == MSG ->
			if
			:: got_end[me] ->
				/* "protocol error: message after the peer's END" */
				assert(false)		/* honest peers never */
			:: else
			fi;
			/* recv_msg -> deliver */
			property4 = p4_nothing_after_end(n); check(property4);
			if
			:: out_broken[me]		/* stdout failed before: dropped */
			:: else ->
				if
				:: written[me]++; printf("side %d writes MSG %d to stdout\n", me, n);	/* write_all(1) completed */
#ifdef SECCHAT1
					dlv[me] = written[me]
#else
					skip
#endif
				:: out_broken[me] = 1; dfail[me] = 1; printf("side %d: writing to stdout fails\n", me);	/* "writing to stdout: ..." */
					fail();
					if
					:: sent_bye[me] == NONE -> send_bye(R_LOCAL); leave(); goto linger
					:: else
					fi
				fi
			fi
		:: phase[me] == P_OPEN && t == END ->	/* [recv_close] */
			assert(!got_end[me]);		/* "a second END": honest peers never */
			got_end[me] = 1
		:: phase[me] == P_OPEN && t == BYE ->	/* [recv_close] */
			got_bye[me] = n;
			if
			:: n != R_USER ->
				fail(); printf("side %d: the peer aborted\n", me); leave(); goto close	/* "the peer aborted": not answered */
			:: else
			fi;
#ifdef SECCHAT1
			leave(); goto close;			/* secchat/1: BYE 0 ends the session */
#endif
			/* No MSG of ours can follow this BYE: nsent is final. */
			assert(ack <= nsent[me]);	/* else a protocol error: honest peers never */
			peer_ack[me] = ack;
			if
			:: ack < nsent[me] ->
				fail()			/* "N of our M messages not confirmed" */
			:: else ->
				/* "closed before all of our input was sent": only when
				 * stdin is not a terminal, decided here where it matters */
				if
				:: !in_eof[me] && sent_bye[me] == NONE ->
					if
					:: skip				/* stdin is a terminal */
					:: crossed = 1; fail(); printf("side %d: stdin is a pipe with input left\n", me)		/* a pipe with input left */
					fi
				:: else
				fi
			fi
		:: else -> assert(false)		/* a frame out of place: honest peers never */
		fi;
		forget() }

	/* end of stream or reset before the peer's BYE [read_net -> lost] */
	:: atomic { LOST_G(me) -> fail();
		printf("side %d: connection lost\n", me); leave(); goto close }

	/* ---------------- a signal [on_signal] ---------------- */
	:: atomic { !sigd[me] && !ALL_STUCK ->
		sigd[me] = 1; printf("side %d is signalled\n", me);
		if
		:: phase[me] == P_OPEN && sent_bye[me] == NONE ->
			if
			:: status[me] == 0 -> status[me] = SIGSTATUS
			:: else
			fi;
			send_bye(R_SIGNAL); leave(); goto linger
		:: else ->
			status[me] = SIGSTATUS; leave(); goto close	/* end at once */
		fi }

	/* ---------------- stdin [read_stdin -> produce] ---------------- */
	:: atomic { STDIN_G(me) ->
		if
		:: nsent[me] < NMSG ->			/* a line or a block [send_msg] */
			nsent[me]++;
			if
			:: sent_bye[PEER] == R_USER -> crossed = 1	/* the peer's `exit` on its way */
			:: else
			fi;
			snd(MSG, nsent[me], 0)
		:: in_eof[me] = 1; printf("side %d: stdin ends\n", me);			/* stdin ended [send_close(T_END)] */
			sent_end[me] = 1;
			endat[me] = nsent[me];
			snd(END, 0, 0)
#ifndef SECCHAT1
		:: quit[me] = 1; printf("side %d: the user types exit\n", me)				/* `exit` typed */
#endif
		fi }

#ifndef SECCHAT1
	/* ---------------- the closing rule [finish -> drained] ---------------- */
	:: atomic { FINISH_G(me) ->
		/* drained(): "not yet" is this step waiting while the others go on */
		if
		:: nsent[PEER] > written[me] -> crossed = 1	/* the peer's MSGs cross our BYE */
		:: else
		fi;
#ifdef NO_DRAIN
		/* BROKEN: the ACK counts what was written, not what the reader took */
		acked[me] = written[me];
		if
		:: dlv[me] = acked[me]; printf("side %d: the reader takes it\n", me)			/* the reader takes it, later */
		:: written[me] > dlv[me] ->		/* the reader goes away, bytes unread */
			out_broken[me] = 1; dfail[me] = 1; printf("side %d: the reader goes away, bytes unread\n", me);
			fail()
		fi;
		send_bye(R_USER) }
#else
		if
		:: acked[me] = written[me];		/* yes: the reader took it all */
			dlv[me] = acked[me]; printf("side %d: drained() yes, %d delivered\n", me, acked[me]);
			send_bye(R_USER)
		:: written[me] > acked[me] ->		/* failed: the reader went away */
			out_broken[me] = 1; dfail[me] = 1; printf("side %d: drained() failed, the reader went away\n", me);
			fail();
			send_bye(R_LOCAL); leave(); goto linger
		fi }
#endif

	/* ---------------- the end [over] ---------------- */
	:: OVER_G(me) ->
		/* status 0 only if nothing failed and peer_ack == nsent (recv_close saw to that) */
		leave(); goto close
#else
	/* secchat/1: END both ways ends the session, with status 0 if nothing failed */
	:: OVER_G(me) ->
		leave(); goto close
#endif
	od;

	/*
	 * Our BYE 1 or 2 went out: half-close, read and drop what comes for at
	 * most 5 s [linger], so that closing sends no RST that could destroy
	 * our BYE on its way.  The peer sends nothing after its own BYE, and
	 * ends at once on ours, so 5 s of reading is taken to empty the link:
	 * a linger cut short (second signal) ends like a reset, which the
	 * environment already does at any point.
	 */
linger:
	atomic {
		forget();
		do
		:: nempty(IN) -> IN?_, _, _, _
		:: empty(IN) -> break
		od
	};

	/* exit(status): closing a socket with unread data sends RST */
close:
	atomic {
		forget();
		if
		:: nempty(IN) && !reset -> reset = 1
		:: empty(IN) || reset
		fi;
		exited[me] = 1;
		printf("side %d exits with status %d\n", me, status[me])
	}
}

/* The network and the attacker */
active proctype world()
{
	byte i;
end:
	do
	:: atomic { !reset && !ALL_STUCK -> reset = 1; net_reset = 1; printf("the network resets the connection\n") }
	:: atomic { !forged && !reset && !ALL_STUCK ->
		if
		:: i = 0
		:: i = 1
		fi;
		assert(nfull(link[i]));
		link[i]!MSG, 0, 0, 1;
		forged = 1; printf("a forged frame is injected toward side %d\n", 1 - i);
		i = 0 }
	od
}

/* Property 1 (no deadlock): also SPIN's invalid end states in the safety run */
#define done		(exited[0] && exited[1])

/* Property 2: who exits 0 had every MSG it sent taken by the peer's reader,
 * the peer's delivery never failed, and the peer ended with BYE 0. */
#define ok0(x, y)	(!(exited[x] && status[x] == 0) || \
			 (dlv[y] == nsent[x] && !dfail[y] && sent_bye[y] == R_USER))

/* Property 3: nothing went wrong (no signal, reset, delivery failure,
 * forgery, nor a message crossing the peer's `exit`), so both exit 0. */
#ifdef LITERAL_P3
#define calm		(!sigd[0] && !sigd[1] && !net_reset && !dfail[0] && !dfail[1] && !forged)
#else
#define calm		(!sigd[0] && !sigd[1] && !net_reset && !dfail[0] && !dfail[1] && !forged && !crossed)
#endif

init
{
	atomic {
		run endpoint(CLIENT);
		run endpoint(SERVER)
	}
	/* the end states: both endpoints exited */
	(_nr_pr == 2);		/* world and init are left */
	property2 = ok0(0, 1) && ok0(1, 0); check(property2);
	property3 = !calm || (status[0] == 0 && status[1] == 0); check(property3)
}

/* 1. No deadlock: every run ends with both endpoints exited. */
ltl p1 { <> done }
/* 2. Exit 0 means delivered: a user's `&& rm file` after exit 0 loses nothing. */
ltl p2 { [] (ok0(0, 1) && ok0(1, 0)) }
/* 3. Both sides agree on success: when nothing went wrong, both report 0. */
ltl p3 { [] (done -> (!calm || (status[0] == 0 && status[1] == 0))) }
/* 4. Nothing after the end (also asserted at each delivery): once the peer's
 * END or BYE arrived, nothing more from it reaches stdout. */
ltl p4 { [] property4 }
/* 5. Commitment order: the server sends no HELLO before COMMIT, and does no
 * private-key work (AUTH) before the client proved it holds its key. */
ltl p5 { [] ((srv_sent_hello -> srv_got_commit) && (srv_sent_auth -> srv_auth_ok)) }

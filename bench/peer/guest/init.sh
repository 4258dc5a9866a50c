#!/bin/busybox sh
# PID 1 of the Linux microVM peer (bench/peer): busybox sets up the system, loads the kernel
# modules the cloud kernel has as modules (virtio-mmio, virtio-net, virtio-blk, FAT; the list and
# its order are written by bench/peer/initramfs.ts into /etc/peer-modules), brings up eth0 with
# QEMU user networking's usual address, then does what the kernel command line asks:
#   peer=serve   busybox httpd on port 80 over /www, and peer-echo on port 7 (the default);
#                /www is the initramfs's copy of the folder, or with peer_www=9p the host's
#                folder itself over virtio-9p (mount tag "www", read-only)
#   peer=fsbench peer-fsbench on tmpfs (/tmp), on FAT over virtio-blk (/data, formatted here with
#                busybox mkdosfs) and over 9p (/share) when the kernel has it; then power off.
#                peer_fs=ram,fat,9p picks some of them (default all)
#   peer=smp     peer-smp once for each run of peer_smp= (runs joined by '+', a run's arguments
#                by ','; e.g. peer_smp=rtt,5,1,200+rttpoll,5,1,2000); then power off
# Progress lines start with "peer:", so the host can tell where a boot stopped.

/bin/busybox mkdir -p /proc /sys /dev /tmp /data /share /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp

for m in $(cat /etc/peer-modules); do
	insmod "$m" || echo "peer: insmod $m failed"
done

mode=serve
mib=16
files=200
kinds=ram,fat,9p
www=initramfs
smp=
for w in $(cat /proc/cmdline); do
	case "$w" in
	peer=*) mode=${w#peer=} ;;
	peer_mib=*) mib=${w#peer_mib=} ;;
	peer_files=*) files=${w#peer_files=} ;;
	peer_fs=*) kinds=${w#peer_fs=} ;;
	peer_www=*) www=${w#peer_www=} ;;
	peer_smp=*) smp=${w#peer_smp=} ;;
	esac
done

ip link set lo up
if ip link set eth0 up 2>/dev/null; then
	ip addr add 10.0.2.15/24 dev eth0
	ip route add default via 10.0.2.2
fi

case "$mode" in
serve)
	if [ "$www" = 9p ]; then
		if mount -t 9p -o trans=virtio,version=9p2000.L,ro www /www; then
			echo "peer: www over 9p"
		else
			echo "peer: www over 9p did not mount"
		fi
	else
		echo "peer: www from the initramfs"
	fi
	peer-echo 0.0.0.0 7 >/dev/null &
	httpd -p 80 -h /www
	echo "peer: serving"
	;;
fsbench)
	case ",$kinds," in *,ram,*)
		peer-fsbench /tmp "$mib" "$files"
	esac
	case ",$kinds," in *,fat,*)
		if [ -b /dev/vda ] && mkdosfs /dev/vda >/dev/null && mount -t vfat /dev/vda /data; then
			peer-fsbench /data "$mib" "$files"
			umount /data
		else
			echo "peer: no FAT on virtio-blk"
		fi
	esac
	case ",$kinds," in *,9p,*)
		if mount -t 9p -o trans=virtio,version=9p2000.L share /share 2>/dev/null; then
			peer-fsbench /share "$mib" "$files"
			umount /share
		else
			echo "peer: no 9p"
		fi
	esac
	echo "peer: fsbench done"
	sync
	reboot -f
	;;
smp)
	echo "peer: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource), $(grep -c ^processor /proc/cpuinfo) CPUs"
	for run in $(echo "$smp" | tr + ' '); do
		peer-smp $(echo "$run" | tr , ' ') || echo "peer: peer-smp $run failed"
	done
	echo "peer: smp done"
	reboot -f
	;;
*)
	echo "peer: unknown mode $mode"
	reboot -f
	;;
esac
while :; do sleep 3600; done

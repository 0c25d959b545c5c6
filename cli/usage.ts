/** The CLI's usage texts: one per command (`stegavox CMD --help`) and the overview (`stegavox --help`). */

/** Each command's usage, printed by `stegavox CMD --help` and after a usage mistake in CMD. */
export const COMMAND_USAGE: Record<string, string> = {
  embed: `usage: stegavox embed --image COVER --audio CLIP.wav --out CONTAINER.png [options]

Hides a WAV clip in a photo (PNG or JPEG) and writes the container: a PNG of the photo's size, or for
--scheme robust a JPEG fitted to 1600 pixels that survives messengers.

  --image FILE|-       the cover photo, PNG or JPEG ("-": stdin)
  --audio FILE|-       the clip, WAV ("-": stdin; only one input can be stdin)
  --out FILE|-         the container PNG ("-": stdout, status lines then go to stderr)
  --force              overwrite --out if it exists (otherwise an existing file is refused)
  --key K              neural: keyed scramble; coded: AES-256-CTR encryption; both seal the header under K
  --quality standard|high   high: a feedback pass, 2.5–5× the time (neural)
  --scheme neural|coded|stealth|robust   default neural; stealth: hard to detect, short clips;
                       robust: survives JPEG re-encoding and messenger resizes
  --fit PIXELS         bring the photo's long side down to this first (robust: 1600 by default)
  --format png|jpeg    the container's format (jpeg only for robust, its default)
  --weights DIR        the nets' weights (default: the bundled weights/)`,
  reveal: `usage: stegavox reveal --image CONTAINER.png --out CLIP.wav [options]

Recovers the clip from a container (PNG; JPEG for the robust scheme, even after a messenger re-encoded it):
16-bit PCM mono 8 kHz WAV of the embedded duration. Robust containers report frames lost and concealed.

  --image FILE|-       the container ("-": stdin)
  --out FILE|-         the WAV ("-": stdout, status lines then go to stderr)
  --force              overwrite --out if it exists
  --key K              the key the clip was hidden with
  --denoise on|off     the post-filter (default on)
  --weights DIR        the nets' weights (default: the bundled weights/)`,
  capacity: `usage: stegavox capacity --image FILE|- [--json]

How many seconds of audio a photo holds under each scheme (read from the image header only).`,
  info: `usage: stegavox info CONTAINER.png [--key K] [--json]

What a container holds, read from its header without revealing the audio: the scheme, the seconds, whether a key
is needed, the header's frame (sealed, or a legacy version 1–4 in the clear), whether the nets' weights are needed,
width×height and, for the neural scheme, the spread rate. Nothing found (no payload, or another key): exit 1.

  CONTAINER.png | --image FILE|-   the container ("-": stdin)
  --key K              try this key first (a keyless container opens with or without it)
  --json               one JSON object on stdout`,
  train: `usage: stegavox train [options]

Trains the neural scheme's nets on a data preset, with checkpoints; --export writes deployable weights.

  --preset real|reference   real: BSDS500 crops + FSDD recordings 5–49 (default); reference: CIFAR-10 + sines
  --data DIR           the data folder (default $STEGAVOX_DATA, else ../shared/data beside the repo;
                       fetch it with \`stegavox data\`)
  --steps N  --batch 32  --crop 64  --lr 0.001  --beta 1  --target-psnr DB  --seed 1
  --backend wasm|cpu|tensorflow  --threads 1
  --run runs/NAME      checkpoint folder   --resume   continue from its checkpoint
  --export DIR         write weights there  --version NAME  (the exported weights' version name)
  --dtype float16|float32  --config FILE.json  --limit-images N  --limit-clips N
  --noise-fraction 0.7  --beta-warmup 1500  --checkpoint-seconds 180  --eval-every 100`,
  eval: `usage: stegavox eval [options]

Held-out photos and unseen speech through the real pipeline: PSNR, SSIM, PCC, SI-SNR; JSON and a markdown table.

  --data DIR           the data folder (default as for train): DIR/kodak24 and DIR/fsdd/recordings 0–4
  --images DIR         photos to use instead of kodak24 (repeatable)
  --speech DIR         every WAV under DIR instead of the FSDD test recordings
  --audio speech|sines|music  --density 0.9  --limit N  --seed 5  --out runs/eval  --figures
  --weights DIR  --key K  --quality standard|high  --scheme neural|coded|stealth|robust  --denoise on|off  --backend wasm|cpu`,
  rd: `usage: stegavox rd [options]

The rate–distortion table: stegavox against k-bit LSB on the same photos and clips at several densities.

  --data DIR  --images DIR  --speech DIR  --limit N  --out runs/rd
  --densities 1,1/4,1/16  --bits 3,4,5  --weights DIR  --quality standard|high  --denoise on|off  --backend wasm|cpu`,
  revive: `usage: stegavox revive --run DIR [options]

Gives a checkpoint's never-firing ReLU units fresh weights without changing its function; then train --resume.

  --run DIR  --preset real|reference  --data DIR  --probe 64  --crop 64  --seed 1  --backend wasm|cpu|tensorflow
  --limit-images N  --limit-clips N`,
  data: `usage: stegavox data [--dir DIR] [--sets bsds500,fsdd,kodak24,cbsd68,cifar10] [--base-url URL] [options]

Downloads the training and evaluation sets from their public homes into the layout train and eval read, checks
every file's sha256, and resumes after an interruption (files already verified are skipped; partial files are
continued with HTTP Range). Progress goes to stderr.

  --dir DIR            where to put them (default $STEGAVOX_DATA, else ../shared/data beside the repo)
  --sets LIST          comma-separated (default all): bsds500, fsdd, kodak24, cbsd68, cifar10
  --base-url URL       a mirror laid out like the data folder (URL/SET-FOLDER/FILE), instead of the public homes;
                       default $STEGAVOX_DATA_URL
  --manifest FILE      a JSON manifest of sets and sha256 sums instead of the built-in one
  --jobs 8             parallel downloads
  --list               print the sets, their sources and sizes, and download nothing`,
};

/** The overview: every command in a line or two, printed by `stegavox`, `stegavox --help` and `stegavox help`. */
export const OVERVIEW = `usage: stegavox <command> [options]          (stegavox <command> --help for a command's options)

  embed    --image cover.png|jpg --audio clip.wav --out container.png [--force] [--key K] [--quality standard|high]
           [--scheme neural|coded|stealth|robust] [--fit PX] [--format png|jpeg] [--weights DIR]
  reveal   --image container.png --out clip.wav [--force] [--key K] [--denoise on|off] [--weights DIR]
  capacity --image file.png|jpg [--json]
  info     container.png [--key K] [--json]          (what a container holds, without revealing it)
  data     [--dir DIR] [--sets LIST] [--base-url URL] (download the training and evaluation sets)
  train    [--preset real|reference] [--data DIR] [--steps N] [--run runs/NAME] [--resume] [--export DIR] ...
  eval     [--data DIR] [--weights DIR] [--images DIR] [--speech DIR] [--density 0.9] [--figures] ...
  rd       [--data DIR] [--densities 1,1/4,1/16] [--bits 3,4,5] ...   (rate–distortion against k-bit LSB)
  revive   --run DIR [--preset real] [--data DIR]     (fresh weights for dead ReLU units; then train --resume)
  help     this text          --version, -V   the version

"-" as --image or --audio reads stdin; as --out it writes stdout. An existing --out is refused without --force.
Exit status: 0 ok; 1 bad input, bad file or nothing found; 2 bad usage. More: docs/cli.md.`;

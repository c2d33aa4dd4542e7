/* A small H5P content type of our own: true/false statements, scored 1 point each.
 * It emits the same xAPI the hub's types do ("answered" with a score), keeps its state
 * (getCurrentState) and restores it (extras.previousState). */
var H5P = window.H5P = window.H5P || {};
window.HVS = window.HVS || {};
HVS.QuickCheck = (function ($) {
  function QuickCheck(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    this.params = params;
    this.contentId = contentId;
    var previous = extras && extras.previousState;
    this.answers = previous && previous.answers ? previous.answers.slice() : [];
    this.checked = !!(previous && previous.checked);
  }
  QuickCheck.prototype = Object.create(H5P.EventDispatcher.prototype);
  QuickCheck.prototype.constructor = QuickCheck;

  QuickCheck.prototype.getScore = function () {
    var self = this;
    return self.params.statements.filter(function (s, i) { return self.answers[i] === s.correct; }).length;
  };
  QuickCheck.prototype.getMaxScore = function () { return this.params.statements.length; };
  QuickCheck.prototype.getCurrentState = function () { return { answers: this.answers, checked: this.checked }; };

  QuickCheck.prototype.attach = function ($container) {
    var self = this;
    var l10n = self.params.l10n;
    var root = $('<div class="hvs-qc"></div>');
    root.append($('<p></p>').text(self.params.intro));
    var list = $('<ol></ol>').appendTo(root);
    self.params.statements.forEach(function (statement, index) {
      var item = $('<li></li>').appendTo(list);
      item.append($('<p></p>').text(statement.text));
      [true, false].forEach(function (value) {
        var label = $('<label></label>').appendTo(item);
        var input = $('<input type="radio">').attr('name', 'hvs-qc-' + self.contentId + '-' + index).prop('checked', self.answers[index] === value);
        input.on('change', function () {
          self.answers[index] = value;
          self.checked = false;
          self.triggerXAPI('interacted');
        });
        label.append(input).append(document.createTextNode(' ' + (value ? l10n['true'] : l10n['false'])));
      });
      item.append($('<span class="mark" aria-live="polite"></span>'));
    });
    var result = $('<p class="result" role="status"></p>');
    var button = $('<button type="button"></button>').text(l10n.check).on('click', function () {
      self.checked = true;
      list.children('li').each(function (index) {
        var right = self.answers[index] === self.params.statements[index].correct;
        $(this).find('.mark').text(right ? ' ✓' : ' ✗').attr('class', 'mark ' + (right ? 'right' : 'wrong'));
      });
      var score = self.getScore();
      var max = self.getMaxScore();
      result.text(l10n.result.replace(':score', score).replace(':max', max));
      self.triggerXAPIScored(score, max, 'answered', true, score === max);
    });
    root.append(button).append(result);
    $container.addClass('h5p-hvs-quick-check').empty().append(root);
    self.trigger('resize');
  };
  return QuickCheck;
})(H5P.jQuery);
